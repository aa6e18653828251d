"""Everything between the uploaded bytes and a safe stream of XML events.

Owns gzip detection, the byte budget (the gzip-bomb defence), the hardened ``iterparse``
configuration, the DOCTYPE/entity refusal (XXE and entity-expansion defence) and the
translation of parser failures into :class:`ReportError` messages a user can act on.
"""

from __future__ import annotations

import gzip as gzip_module
import io
import re
import zlib
from collections.abc import Iterator

from lxml import etree

from .base import MB, ReportError, ReportLimits

GZIP_MAGIC = b"\x1f\x8b"
READ_SIZE = 64 * 1024
# How much of the file start is inspected for a DOCTYPE before the parser sees it.
PROLOG_PEEK = 64 * 1024

_ROOT_TAG = re.compile(r"<[A-Za-z_]")
_LOCATION = re.compile(r",? line \d+, column \d+(?: \(.*\))?$|\s*\(<string>, line \d+\)$")
_ENCODING_HINTS = ("encoding", "utf-8", "utf-16", "invalid bytes")
UTF8_BOM = b"\xef\xbb\xbf"

DOCTYPE_REFUSED = (
    "Refusing the report: its DOCTYPE declares entities (<!ENTITY …>). Test reports never need "
    "them and they are the vehicle of XXE and entity-expansion attacks."
)


def _format_limit(max_bytes: int) -> str:
    size = max_bytes / MB
    return f"{size:g}" if size >= 1 else f"{size:.2g}"


class ReportStream(io.RawIOBase):
    """Read-only byte stream that counts what it hands out and refuses to exceed a budget.

    Reads are passed through in the caller's chunk size, so a decompressing source is only
    ever inflated one chunk ahead of the XML parser — nothing is decompressed up front.
    """

    def __init__(self, source, max_bytes: int, *, compressed: bool = False):
        super().__init__()
        self._source = source
        self._max_bytes = max_bytes
        self._compressed = compressed
        self._buffer = b""  # bytes peeked but not yet consumed
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def _pull(self, size: int) -> bytes:
        try:
            data = self._source.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            # gzip.BadGzipFile is an OSError; a truncated gzip member raises EOFError.
            kind = "gzip data" if self._compressed else "upload"
            raise ReportError(f"Could not read the report: corrupt or truncated {kind} ({exc}).") from exc
        self.bytes_read += len(data)
        if self.bytes_read > self._max_bytes:
            what = "Decompressed report" if self._compressed else "Report"
            raise ReportError(f"{what} exceeds the {_format_limit(self._max_bytes)} MB limit.")
        return data

    def peek(self, size: int = READ_SIZE) -> bytes:
        """Return up to ``size`` upcoming bytes without consuming them."""
        while len(self._buffer) < size:
            data = self._pull(size - len(self._buffer))
            if not data:
                break
            self._buffer += data
        return self._buffer[:size]

    def readinto(self, target) -> int:
        size = len(target)
        if self._buffer:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        else:
            data = self._pull(size)
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            if self._compressed:
                self._source.close()  # the GzipFile we created; never the caller's file
        finally:
            super().close()


class _Prefixed:
    """A source that replays bytes already consumed (for sniffing) before reading on."""

    def __init__(self, prefix: bytes, source):
        self._prefix = prefix
        self._source = source

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size is None or size < 0:
                data, self._prefix = self._prefix + self._source.read(), b""
                return data
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        return self._source.read(size)


def open_report_stream(
    fileobj, *, gzip: bool | None = None, limits: ReportLimits | None = None
) -> ReportStream:
    """Wrap an uploaded binary file so it can be parsed safely.

    ``gzip=None`` sniffs the gzip magic bytes, ``True`` forces decompression, ``False`` never
    decompresses. Reading more than ``limits.max_bytes`` (after decompression) raises
    :class:`ReportError` from the ``read`` call that crossed the limit.
    """
    limits = limits or ReportLimits()
    head = fileobj.read(2)
    if not isinstance(head, bytes | bytearray):
        raise TypeError("open_report_stream() needs a file opened in binary mode")
    source = _Prefixed(bytes(head), fileobj)
    compressed = head == GZIP_MAGIC if gzip is None else gzip
    if compressed:
        source = gzip_module.GzipFile(fileobj=source, mode="rb")
    return ReportStream(source, limits.max_bytes, compressed=compressed)


def _prolog_text(head: bytes) -> str:
    """The file start as text, good enough to look for markup (declared encoding ignored)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        codec = "utf-16-be" if head.startswith((b"\xfe\xff", b"\x00<")) else "utf-16-le"
        return head.decode(codec, "ignore")
    # Every other encoding libxml2 accepts for a report is ASCII compatible for markup.
    return head.decode("latin-1")


def check_prolog(stream: ReportStream) -> None:
    """Refuse empty files and DOCTYPEs with entity declarations before the parser starts.

    A cheap early check for clear messages; :func:`iter_events` re-checks the parsed DTD, so
    an entity declaration pushed past the peeked window is still caught.
    """
    head = stream.peek(PROLOG_PEEK)
    text = _prolog_text(head.removeprefix(UTF8_BOM))
    if len(head) < PROLOG_PEEK and not text.strip(" \t\r\n\x00\ufeff"):
        raise ReportError("The report is empty." if not head else "The report contains only whitespace.")
    root = _ROOT_TAG.search(text)
    prolog = text[: root.start()] if root else text
    if "<!ENTITY" in prolog.upper():
        raise ReportError(DOCTYPE_REFUSED)


def _describe(exc: etree.XMLSyntaxError) -> ReportError:
    message = _LOCATION.sub("", str(exc.msg or exc)).strip()
    line = exc.lineno or (exc.position[0] if exc.position else 0)
    lowered = message.lower()
    if "entity" in lowered and ("amplification" in lowered or "loop" in lowered):
        return ReportError(f"{DOCTYPE_REFUSED} ({message} at line {line})")
    if any(hint in lowered for hint in _ENCODING_HINTS):
        return ReportError(
            f"The report's text does not match its declared encoding (line {line}: {message}). "
            "Re-export it as UTF-8 or fix the <?xml encoding=…?> declaration."
        )
    if line:
        return ReportError(f"Malformed XML at line {line}: {message}")
    return ReportError(f"Malformed XML: {message}")


def iter_events(stream: ReportStream) -> Iterator[tuple[str, etree._Element]]:
    """Hardened ``iterparse`` over ``stream`` yielding (event, element) for start/end events.

    Entities are never resolved, no DTD or network resource is loaded, and libxml2 keeps its
    default limits (``huge_tree=False``: at most 10 MB per text node, bounded nesting depth,
    bounded entity amplification). Errors surface as :class:`ReportError`.
    """
    check_prolog(stream)
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    first = True
    try:
        for event, element in events:
            if first:
                first = False
                dtd = element.getroottree().docinfo.internalDTD
                if dtd is not None and any(True for _ in dtd.iterentities()):
                    raise ReportError(DOCTYPE_REFUSED)
            yield event, element
    except etree.XMLSyntaxError as exc:
        raise _describe(exc) from None
    except LookupError as exc:  # an encoding name lxml knows but Python's codecs do not
        raise ReportError(f"The report declares an unsupported encoding ({exc}).") from None
