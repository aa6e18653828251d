"""CSV in and out of DRF: a parser for ``text/csv`` request bodies and a renderer for ``?format=csv``."""

from django.core.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from apps.core.csvimport import MAX_BYTES


class CSVParser(BaseParser):
    """Hands the view the raw bytes (at most MAX_BYTES); decoding is apps.core.csvimport's job."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        data = stream.read(MAX_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_BYTES:
            raise ValidationError({"file": f"The body is larger than the {MAX_BYTES // 1024} KB limit."})
        return data


class CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` pass DRF's content negotiation; the view returns the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, str | bytes) else str(data)
