"""Reading uploads out of a DRF request, the same way on every endpoint that takes a file."""

from rest_framework.exceptions import ValidationError


def uploaded_file(request, field: str):
    """The file sent as multipart field ``field`` (or put there by a raw-body parser); None if none came.

    Anything else under that name — a form text field, a JSON value — is refused with a 400 naming the
    field, rather than ignored or read as if it were a file."""
    upload = request.FILES.get(field)
    if upload is not None:
        return upload
    sent = request.data.get(field) if hasattr(request.data, "get") else None
    if sent not in (None, ""):
        raise ValidationError({field: [f"'{field}' must be a file: send it as a multipart file field."]})
    return None
