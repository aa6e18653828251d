"""Request bodies: the API's JSON parser, and reading uploads the same way on every endpoint that takes a file."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError


class JSONParser(parsers.JSONParser):
    """DRF's, except that a document nested too deeply for Python's decoder is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


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
