"""A DRF parser for a report sent as the raw request body (curl --data-binary @report.xml).

The body is not read here: the parser hands over a file-like wrapper around the request stream
and the upload service copies it to storage in chunks (bounded by TESTRUNS_MAX_REPORT_BYTES),
so a 100 MB report never sits in memory. DATA_UPLOAD_MAX_MEMORY_SIZE doesn't apply: it guards
``request.body``, which is never touched.
"""

from django.core.files import File
from rest_framework import serializers
from rest_framework.parsers import BaseParser, DataAndFiles

from apps.core.api.serializers import query_values


class RawReportQuerySerializer(serializers.Serializer):
    # A NUL byte would reach PostgreSQL with the upload's row (a 500 there); the service shortens long names.
    filename = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class RawBodyFile(File):
    """The request body as a read-only file."""

    def __init__(self, stream, name: str, content_type: str):
        super().__init__(stream, name=name)
        self.content_type = content_type

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size) if size is not None and size >= 0 else self.file.read()

    def seek(self, *args):  # a request stream only moves forward
        raise OSError("not seekable")


class RawReportParser(BaseParser):
    media_type = "*/*"
    media_types = (
        "application/xml",
        "text/xml",
        "application/octet-stream",
        "application/gzip",
        "application/x-gzip",
        "application/junit+xml",
        "application/trx+xml",
    )

    def parse(self, stream, media_type=None, parser_context=None):
        files = {}
        if stream is not None:
            request = parser_context["request"]
            name = query_values(RawReportQuerySerializer, request).get("filename") or "report.xml"
            files["report"] = RawBodyFile(stream, name=name, content_type=(media_type or "").split(";")[0])
        return DataAndFiles({}, files)


def raw_parser_for(media_type: str):
    """A RawReportParser subclass answering exactly one media type (DRF negotiates on media_type)."""
    return type(f"RawReportParser_{media_type}", (RawReportParser,), {"media_type": media_type})


RAW_PARSERS = [raw_parser_for(media_type) for media_type in RawReportParser.media_types]
