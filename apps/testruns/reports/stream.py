"""Everything between the uploaded bytes and a safe stream of XML events.

Owns gzip detection, the byte budget (the gzip-bomb defence), the hardened parser configuration
(``iterparse`` for formats read as a tree, ``push_parse`` for those read by a parser target), the
DOCTYPE/entity refusal (XXE and entity-expansion defence), the translation of parser failures
into :class:`ReportError` messages a user can act on (:class:`RepairableError` for the slips
``repair`` mends), and reading a report again from its start through that repair
(:meth:`ReportStream.restart_repairing`).
"""

from __future__ import annotations

import gzip as gzip_module
import io
import re
import zlib
from collections.abc import Iterator

from lxml import etree

from .base import MB, ReportError, ReportLimits
from .repair import NAME_REQUIRED, REPAIRABLE, STRAY_AMPERSAND_MESSAGE, Repairer

GZIP_MAGIC = b"\x1f\x8b"
READ_SIZE = 64 * 1024
# How much of the file start is inspected for a DOCTYPE before the parser sees it.
PROLOG_PEEK = 64 * 1024

_ROOT_TAG = re.compile(r"<[A-Za-z_]")
# What may precede the root element: whitespace, the XML declaration, PIs, comments, a DOCTYPE.
# Possessive quantifiers: no backtracking, so a hostile prolog costs one linear scan.
_PROLOG_ITEM = re.compile(r"\s++|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*+(?:\[[^\]]*+\][^>]*+)?>", re.DOTALL)
_ROOT_NAME = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_LOCATION = re.compile(r",? line \d+, column \d+(?: \(.*\))?$|\s*\(<string>, line \d+\)$")
_ENCODING_HINTS = ("encoding", "utf-8", "utf-16", "invalid bytes")
UTF8_BOM = b"\xef\xbb\xbf"
# Starts of UTF-16/UTF-32 documents (with or without BOM): not ASCII compatible byte-wise.
_WIDE_CODECS = (  # most specific first: a UTF-32 LE BOM starts like a UTF-16 LE one
    ("utf-32-le", (b"\xff\xfe\x00\x00", b"<\x00\x00\x00")),
    ("utf-32-be", (b"\x00\x00\xfe\xff", b"\x00\x00\x00<")),
    ("utf-16-le", (b"\xff\xfe", b"<\x00")),
    ("utf-16-be", (b"\xfe\xff", b"\x00<")),
)
WIDE_STARTS = tuple(start for _, starts in _WIDE_CODECS for start in starts)
# C0 control characters other than tab/LF/CR are illegal in XML 1.0, yet test output often
# carries them raw (ANSI colour codes, NULs from crashed processes) and the tools writing the
# report do not escape them. In an ASCII-compatible encoding these bytes are always whole
# characters (never part of a multi-byte sequence), so replacing them with "?" is safe.
_CONTROL_TO_QMARK = bytes.maketrans(bytes(b for b in range(32) if b not in (9, 10, 13)), b"?" * 29)

DOCTYPE_REFUSED = (
    "Refusing the report: its DOCTYPE declares entities (<!ENTITY …>). Test reports never need "
    "them and they are the vehicle of XXE and entity-expansion attacks."
)


class RepairableError(ReportError):
    """The strict parse failed on a slip :class:`~.repair.Repairer` mends (``line``: where, ``reason``:
    libxml2's words). Callers that do not repair treat it as any :class:`ReportError`."""

    def __init__(self, message: str, *, line: int, reason: str):
        super().__init__(message)
        self.line, self.reason = line, reason


def _format_limit(max_bytes: int) -> str:
    if max_bytes >= MB:
        return f"{max_bytes / MB:.4g} MB"
    if max_bytes >= 1024:
        return f"{max_bytes / 1024:.4g} KB"
    return f"{max_bytes} bytes"


class ReportStream(io.RawIOBase):
    """Read-only byte stream that counts what it hands out and refuses to exceed a budget.

    Reads are passed through in the caller's chunk size, so a decompressing source is only
    ever inflated one chunk ahead of the XML parser — nothing is decompressed up front.
    """

    def __init__(self, source, max_bytes: int, *, compressed: bool = False, origin=None):
        super().__init__()
        self._source = source
        self._max_bytes = max_bytes
        self._compressed = compressed
        self._origin = origin  # (seekable file, offset of the report's first byte), or None
        self._buffer = b""  # bytes peeked but not yet consumed
        self._translate: bytes | None = None
        self._repairer: Repairer | None = None
        self._repaired = b""  # repaired bytes not handed out yet, from self._offset on
        self._offset = 0
        self._ended = False
        self.wide = False  # UTF-16/32 (set by check_prolog)
        self.bytes_read = 0

    def replace_control_characters(self) -> None:
        """From now on hand out C0 control bytes (except tab, LF, CR) as "?"."""
        self._translate = _CONTROL_TO_QMARK

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
            raise ReportError(f"{what} exceeds the {_format_limit(self._max_bytes)} limit.")
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
        if self._repairer is not None:
            return self._read_repaired(target)
        size = len(target)
        if self._buffer:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        else:
            data = self._pull(size)
        if self._translate is not None:
            data = data.translate(self._translate)
        target[: len(data)] = data
        return len(data)

    def _read_repaired(self, target) -> int:
        # The repairer may hold bytes back or hand out more than it took: repaired bytes wait here.
        while self._offset >= len(self._repaired) and not self._ended:
            if self._buffer:
                data, self._buffer = self._buffer, b""
            else:
                data = self._pull(READ_SIZE)
            if self._translate is not None:
                data = data.translate(self._translate)
            self._ended = not data
            self._repaired, self._offset = self._repairer.feed(data, final=self._ended), 0
        data = self._repaired[self._offset : self._offset + len(target)]
        self._offset += len(data)
        target[: len(data)] = data
        return len(data)

    def restart_repairing(self) -> Repairer | None:
        """Read the report again from its first byte, through a new :class:`~.repair.Repairer` (returned).

        None when that can't be done: the file can't be re-read from its start (not seekable) or is
        UTF-16/32 (the repair works on ASCII-compatible bytes). The byte budget starts again too.
        """
        if self._origin is None or self.wide:
            return None
        fileobj, offset = self._origin
        fileobj.seek(offset)
        if self._compressed:
            self._source.close()
            self._source = gzip_module.GzipFile(fileobj=fileobj, mode="rb")
        else:
            self._source = fileobj
        self._buffer, self._translate, self.bytes_read = b"", None, 0
        self._repaired, self._offset, self._ended = b"", 0, False
        self._repairer = Repairer()
        return self._repairer

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
    origin = _origin(fileobj)
    head = b""
    while len(head) < len(GZIP_MAGIC):  # a pipe or socket may hand out one byte at a time
        data = fileobj.read(len(GZIP_MAGIC) - len(head))
        if not isinstance(data, bytes | bytearray):
            raise TypeError("open_report_stream() needs a file opened in binary mode")
        if not data:
            break
        head += data
    source = _Prefixed(head, fileobj)
    compressed = head == GZIP_MAGIC if gzip is None else gzip
    if compressed:
        source = gzip_module.GzipFile(fileobj=source, mode="rb")
    return ReportStream(source, limits.max_bytes, compressed=compressed, origin=origin)


def _origin(fileobj) -> tuple | None:
    """(fileobj, its position) when the report can be read again from here (see restart_repairing)."""
    try:
        return (fileobj, fileobj.tell()) if fileobj.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def _prolog_text(head: bytes) -> str:
    """The file start as text, good enough to look for markup (declared encoding ignored)."""
    for codec, starts in _WIDE_CODECS:
        if head.startswith(starts):
            return head.decode(codec, "ignore")
    # Every other encoding libxml2 accepts for a report is ASCII compatible for markup.
    return head.decode("latin-1")


def check_prolog(stream: ReportStream) -> None:
    """Refuse empty files and DOCTYPEs with entity declarations before the parser starts.

    A cheap early check for clear messages: :func:`root_name` checks the exact prolog, and
    :func:`iter_events` the parsed DTD, so an entity declaration pushed past the peeked window is
    still caught. Also switches on
    control-character replacement for ASCII-compatible files.
    """
    head = stream.peek(PROLOG_PEEK)
    body = head.removeprefix(UTF8_BOM)
    text = _prolog_text(body)
    if len(head) < PROLOG_PEEK and not text.strip(" \t\r\n\ufeff"):
        raise ReportError("The report is empty." if not head else "The report contains only whitespace.")
    root = _ROOT_TAG.search(text)
    prolog = text[: root.start()] if root else text
    if "<!ENTITY" in prolog.upper():
        raise ReportError(DOCTYPE_REFUSED)
    stream.wide = body.startswith(WIDE_STARTS)
    if not stream.wide:
        stream.replace_control_characters()


def _check_root(name: str, expected: str) -> None:
    if name != expected:
        raise ReportError("Could not tell the report's format from its start; is the XML prolog well formed?")


def _describe(exc: etree.XMLSyntaxError) -> ReportError:
    message = _LOCATION.sub("", str(exc.msg or exc)).strip()
    line = exc.lineno or (exc.position[0] if exc.position else 0)
    lowered = message.lower()
    if "entity" in lowered and ("amplification" in lowered or "loop" in lowered):
        return ReportError(f"{DOCTYPE_REFUSED} ({message} at line {line})")
    if "unsupported encoding" in lowered:
        return ReportError(f"The report declares an encoding that is not supported ({message}).")
    if any(hint in lowered for hint in _ENCODING_HINTS):
        return ReportError(
            f"The report's text does not match its declared encoding (line {line}: {message}). "
            "Re-export it as UTF-8 or fix the <?xml encoding=…?> declaration."
        )
    text = f"Malformed XML at line {line}: {message}" if line else f"Malformed XML: {message}"
    if exc.code in REPAIRABLE or (exc.code == NAME_REQUIRED and message.startswith(STRAY_AMPERSAND_MESSAGE)):
        return RepairableError(text, line=line, reason=message)
    return ReportError(text)


def root_name(stream: ReportStream) -> str | None:
    """The root element's local name, read from the file's start without parsing; None if unsure.

    Skips the XML declaration, comments, processing instructions and the DOCTYPE (refusing one that
    declares entities). Used to pick a format's parser before parsing; :func:`iter_events` and
    :func:`push_parse` still check the parsed root against it.
    """
    text = _prolog_text(stream.peek(PROLOG_PEEK).removeprefix(UTF8_BOM)).lstrip("\ufeff")
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        position = match.end()
    root = _ROOT_NAME.match(text, position)
    if root is None or root.end() == len(text):  # a name cut at the end of the peeked window
        return None
    # The whole prolog was read: this is the one place a DTD could declare entities.
    if "<!ENTITY" in text[:position].upper():
        raise ReportError(DOCTYPE_REFUSED)
    return root.group(1).rpartition(":")[2]


# Entities are never resolved, no DTD or network resource is loaded, and libxml2 keeps its default
# limits (huge_tree=False: at most 10 MB per text node, bounded nesting depth, bounded entity
# amplification).
PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def iter_events(stream: ReportStream) -> Iterator[tuple[str, etree._Element]]:
    """Hardened ``iterparse`` over ``stream`` yielding (start|end, element) for every element.

    A DTD that declares entities is refused once it is parsed. Errors surface as
    :class:`ReportError`.
    """
    check_prolog(stream)
    parser = etree.iterparse(stream, events=("start", "end"), **PARSER_OPTIONS)
    try:
        for event, element in parser:
            dtd = element.getroottree().docinfo.internalDTD
            if dtd is not None and any(True for _ in dtd.iterentities()):
                raise ReportError(DOCTYPE_REFUSED)
            yield event, element
            break
        yield from parser  # the rest without a Python-level step per event
    except etree.XMLSyntaxError as exc:
        raise _describe(exc) from None
    except LookupError as exc:  # an encoding name lxml knows but Python's codecs do not
        raise ReportError(f"The report declares an unsupported encoding ({exc}).") from None


def push_parse(stream: ReportStream, target, *, root: str, handed_out=None) -> Iterator:
    """Hardened parse of ``stream`` into an lxml parser target; yields the target's ``cases`` as they come.

    No element tree is built: libxml2 calls the target's ``start``/``data``/``end`` as it reads
    (see ``junit``). ``root`` is the root element name :func:`root_name` read from the file's start
    (which also refused a DTD declaring entities), checked against the target's ``root``.
    ``handed_out`` (``count``, ``last``) is kept up to date batch by batch.
    """
    check_prolog(stream)
    parser = etree.XMLParser(target=target, **PARSER_OPTIONS)
    checked = False
    try:
        while data := stream.read(READ_SIZE):
            parser.feed(data)
            if not checked and target.root is not None:
                _check_root(target.root, root)
                checked = True
            if target.cases:
                cases, target.cases = target.cases, []
                if handed_out is not None:
                    handed_out.count += len(cases)
                    handed_out.last = cases[-1]
                yield from cases
        parser.close()
    except etree.XMLSyntaxError as exc:
        raise _describe(exc) from None
    except LookupError as exc:  # an encoding name lxml knows but Python's codecs do not
        raise ReportError(f"The report declares an unsupported encoding ({exc}).") from None
    if not checked:
        _check_root(target.root or "", root)
    if handed_out is not None and target.cases:
        handed_out.count += len(target.cases)
        handed_out.last = target.cases[-1]
    yield from target.cases
