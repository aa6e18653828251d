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


class RawTextParser(parsers.BaseParser):
    """A text file sent as the whole body (curl --data-binary @schema.sql): hands the view its bytes.

    The endpoint's Content-Length limit (BodyLimitMixin) is checked before this runs; a chunked body
    without a length is cut at that limit plus one byte, so the view can say it is too large."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        view = (parser_context or {}).get("view")
        limit = view.max_request_bytes() if view is not None and hasattr(view, "max_request_bytes") else 10 * 2**20
        return stream.read(limit + 1) if stream is not None else b""


def body_bytes(request, *, field: str = "file", limit: int) -> bytes:
    """The uploaded file's bytes: multipart field ``field`` or the raw body (RawTextParser). A 400 naming
    the field when there is none or it is larger than ``limit``."""
    data = request.data
    if not isinstance(data, bytes):
        upload = uploaded_file(request, field)
        data = upload.read(limit + 1) if upload is not None else b""
    if not data.strip():
        raise ValidationError({field: [f"Nothing was sent: put the file in the body or in multipart field '{field}'."]})
    if len(data) > limit:
        raise ValidationError({field: [f"The file is larger than the {limit // 2**20} MB limit."]})
    return data


def body_text(request, *, field: str = "file", limit: int) -> str:
    """``body_bytes`` as UTF-8 text (a BOM is dropped); a 400 naming the field if it isn't UTF-8."""
    data = body_bytes(request, field=field, limit=limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({field: [f"The file is not UTF-8 text (byte {exc.start})."]}) from None
