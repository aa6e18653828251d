"""Storing an uploaded report as sent: streamed to MEDIA_ROOT in chunks, cut at the size limit.

Neither a multipart upload nor a raw request body is ever held in memory whole; a body larger
than the limit is stored up to the limit and flagged ``truncated`` so the run can fail with a
clear reason while keeping what was sent.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.files import File
from django.utils.text import get_valid_filename

CHUNK = 256 * 1024


@dataclass
class Stored:
    size: int = 0
    truncated: bool = False
    head: bytes = b""


class _CappedFile(File):
    """A File whose chunks stop after ``limit`` bytes, noting whether more data followed."""

    def __init__(self, source, limit: int, result: Stored):
        super().__init__(None, name="report")
        self.source, self.limit, self.result = source, limit, result

    def chunks(self, chunk_size=None):
        while True:
            budget = self.limit - self.result.size
            data = self.source.read(min(CHUNK, budget + 1) if budget >= 0 else 1)
            if not data:
                return
            if len(data) > budget:
                self.result.truncated = True
                data = data[: max(budget, 0)]
            if not self.result.head:
                self.result.head = bytes(data[:2])
            self.result.size += len(data)
            if data:
                yield data
            if self.result.truncated:
                return

    def multiple_chunks(self, chunk_size=None):
        return True

    @property
    def size(self):  # storage backends may ask; the real size is known only after reading
        return self.result.size

    def __bool__(self):
        return True


def report_store(*, upload, fileobj, limit: int) -> Stored:
    """Write ``fileobj`` (an UploadedFile or any readable stream) into ``upload.file``."""
    result = Stored()
    source = fileobj
    if hasattr(fileobj, "seek") and hasattr(fileobj, "tell"):
        with contextlib.suppress(OSError, ValueError):
            fileobj.seek(0)
    name = get_valid_filename(upload.filename or "report.xml") or "report.xml"
    upload.file.save(name, _CappedFile(source, limit, result), save=False)
    return result
