"""The repair of reports that are not well-formed XML in the two ways real reporters get wrong.

Owns :class:`Repairer`: a streaming byte filter that escapes what XML forbids and a reporter forgot to
escape — a ``<`` inside an attribute value (``name="renders <App />"``: karma-junit-reporter, testem,
@web/test-runner's own expected files) and a ``&`` that starts no reference (``message="?id=1&format=
jpg"``: MassiveUnit, cedar, bashunit) — and counts what it changed, where, and in how many tests.
``detect.parse_report`` runs a report through it only after the strict parse failed on one of those
(:data:`REPAIRABLE`), and parses the result strictly again: anything else still fails the run.

Why not libxml2's recovering parser (lxml ``recover=True``): it stops reporting errors after the
first 100 (``XML_MAX_ERRORS``) and silently recovers the rest, so past that a truncated file or a
dropped element would pass unseen; and it drops a stray ``&`` together with the name after it
(``"c & d"`` -> ``"c  d"``, ``"a&b"`` -> ``"a"``), which changes the test's identity. This filter changes
only the bytes it escapes (the text reads exactly as the reporter meant it), repairs any number of
them, and leaves every other problem to the strict parser.

It reads the markup just enough to know where it is: text, a tag, a quoted attribute value, a comment,
a CDATA section, a processing instruction, a DOCTYPE. Every state is left by searching for its end
with one regular expression; a stretch of text or of an attribute value is escaped in one step
(``bytes.replace``, one ``re.subn``), held-back input is bounded (at most ``MAX_HOLD`` bytes: an
undecided ``&…`` or tag name), so the work is linear in the file's size whatever it holds. It works on the bytes
of ASCII-compatible encodings (UTF-8, Latin-1, …), where ``<``, ``&`` and quotes are always whole
characters; UTF-16/32 reports are not repaired.
"""

from __future__ import annotations

import re

# libxml2 error codes (lxml.etree.ErrorTypes) of a strict parse's first error that this filter repairs:
# ERR_LT_IN_ATTRIBUTE, ERR_ENTITYREF_SEMICOL_MISSING ("a&b"), ERR_INVALID_HEX_CHARREF and
# ERR_INVALID_DEC_CHARREF ("&#" followed by no number). ERR_NAME_REQUIRED also covers "a < b" in text,
# which is not repaired, so it counts only with the message of a stray "&".
REPAIRABLE = frozenset({38, 23, 6, 7})
NAME_REQUIRED = 68
STRAY_AMPERSAND_MESSAGE = "xmlParseEntityRef: no name"

LT = "<"
AMP = "&"
# Elements that are one test in the formats we read (JUnit, NUnit, xUnit, TRX results and definitions).
TEST_ELEMENTS = frozenset({b"testcase", b"test-case", b"test", b"UnitTestResult", b"UnitTest"})
MAX_HOLD = 1024  # bytes held back at a chunk's end, at most (a name or reference longer than this is cut)
SHOWN_LINES = 3

_TEXT, _TAG, _VALUE, _COMMENT, _CDATA, _PI, _DECL, _SUBSET = range(8)
_TAG_STOP = re.compile(rb"[\"'>]")
_DECL_STOP = re.compile(rb"[\[>]")
_TAG_NAME = re.compile(rb"/?[^\s/>\"'<&=]*")
# A whole tag with nothing to repair (the usual one), read in one step. Possessive: no backtracking.
_CLEAN_TAG = re.compile(rb"<(/?)([^\s/>\"'<&=!?]++)((?:[^<>&\"']++|\"[^\"<&]*+\"|'[^'<&]*+')*+)>")
_REFERENCE = rb"(?:#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_:\x80-\xff][-.\w:\x80-\xff]*+;)"
# A "&" that starts no reference (the name run it looks at is the one after it: linear overall).
_STRAY_AMPERSAND = re.compile(rb"&(?!" + _REFERENCE + rb")")
_REPAIR = re.compile(rb"<|&(?!" + _REFERENCE + rb")")
_REFERENCE_START = re.compile(rb"&(?:#x?[0-9A-Fa-f]*|[A-Za-z_:\x80-\xff][-.\w:\x80-\xff]*)?")
_ENDS = {_COMMENT: b"-->", _CDATA: b"]]>", _PI: b"?>", _SUBSET: b"]"}
_OPENERS = ((b"<!--", _COMMENT), (b"<![CDATA[", _CDATA), (b"<?", _PI), (b"<!", _DECL))
_LONGEST_OPENER = 9


class Repairer:
    """Feed it the report's bytes in order (:meth:`feed`), then ``final=True``; it returns them repaired.

    After the last feed: :attr:`counts` (escapes per character), :attr:`tests` (test elements with at
    least one escape in their tag or inside them), :attr:`elsewhere` (escapes outside any test) and
    :meth:`warning` say what was done.
    """

    def __init__(self) -> None:
        self.counts = {LT: 0, AMP: 0}
        self.tests = 0
        self.elsewhere = 0
        self.lines: list[int] = []  # the first SHOWN_LINES lines with an escape
        self.line_count = 0  # lines with an escape
        self._state = _TEXT
        self._quote = b""
        self._held = b""
        self._line = 1  # line of self._mark in the current buffer
        self._mark = 0
        self._last_line = 0
        # Open test elements, innermost last: [already counted as affected]. A test's own start tag is
        # pushed as soon as its name is read, so escapes in its attributes count for it.
        self._open_tests: list[list[bool]] = []
        self._tag_is_test = False  # the tag being read is a test element's start tag
        self._tag_last = b""  # the tag's last byte read so far (to see "/>" across chunks)

    # -- the filter ---------------------------------------------------------------------------------

    def feed(self, data: bytes, final: bool = False) -> bytes:
        buf = self._held + data if self._held else data
        self._held, self._mark = b"", 0
        out: list[bytes] = []
        pos, end = 0, len(buf)
        while pos < end:
            state = self._state
            if state == _TEXT:
                stop = buf.find(b"<", pos)
                if stop < 0:
                    pos = self._text(buf, pos, end, out, final)
                    break
                out.append(self._escape(buf, pos, stop) if stop > pos else b"")
                if tag := _CLEAN_TAG.match(buf, stop):
                    if tag.group(2).rpartition(b":")[2] in TEST_ELEMENTS:
                        if tag.group(1):
                            if self._open_tests:
                                self._open_tests.pop()
                        elif not tag.group(3).endswith(b"/"):
                            self._open_tests.append([False])
                    out.append(tag.group())
                    pos = tag.end()
                else:
                    pos = self._markup(buf, stop, out, final)
                    if pos < 0:
                        self._held, pos = buf[stop:], end
            elif state == _TAG:
                match = _TAG_STOP.search(buf, pos)
                if match is None:
                    out.append(buf[pos:])
                    self._tag_last = buf[-1:]
                    pos = end
                    break
                stop = match.start()
                out.append(buf[pos : stop + 1])
                if buf[stop] == 0x3E:  # ">"
                    before = buf[stop - 1 : stop] if stop > pos else self._tag_last
                    if self._tag_is_test and before == b"/":
                        self._open_tests.pop()  # <testcase …/>: it ends with its tag
                    self._state, self._tag_is_test = _TEXT, False
                else:
                    self._state, self._quote = _VALUE, buf[stop : stop + 1]
                self._tag_last = buf[stop : stop + 1]
                pos = stop + 1
            elif state == _VALUE:
                stop = buf.find(self._quote, pos)
                if stop < 0:
                    pos = self._text(buf, pos, end, out, final)
                    break
                out.append(self._escape(buf, pos, stop))
                out.append(self._quote)
                self._state, self._tag_last = _TAG, self._quote
                pos = stop + 1
            elif state == _DECL:
                match = _DECL_STOP.search(buf, pos)
                if match is None:
                    out.append(buf[pos:])
                    pos = end
                    break
                stop = match.start()
                out.append(buf[pos : stop + 1])
                self._state = _SUBSET if buf[stop] == 0x5B else _TEXT  # "[" or ">"
                pos = stop + 1
            else:  # comment, CDATA section, processing instruction, DOCTYPE subset: copied as they are
                terminator = _ENDS[state]
                stop = buf.find(terminator, pos)
                if stop < 0:
                    # Keep what could be the start of the terminator for the next chunk.
                    keep = 0 if final else len(terminator) - 1
                    cut = max(pos, end - keep)
                    out.append(buf[pos:cut])
                    if cut < end:
                        self._held = buf[cut:]
                    pos = end
                    break
                out.append(buf[pos : stop + len(terminator)])
                self._state = _DECL if state == _SUBSET else _TEXT
                pos = stop + len(terminator)
        self._count_lines(buf, end - len(self._held))
        return b"".join(out)

    def _markup(self, buf: bytes, start: int, out: list[bytes], final: bool) -> int:
        """At a "<" in text: enter the state of what it opens. -1: too few bytes to tell yet."""
        if len(buf) - start < _LONGEST_OPENER and not final:
            return -1
        for opener, state in _OPENERS:
            if buf.startswith(opener, start):
                out.append(opener)
                self._state = state
                return start + len(opener)
        name = _TAG_NAME.match(buf, start + 1)
        if name.end() == len(buf) and not final and name.end() - start < MAX_HOLD:
            return -1  # the tag's name may go on in the next chunk
        tag = name.group()
        if tag.startswith(b"/"):
            if tag[1:].rpartition(b":")[2] in TEST_ELEMENTS and self._open_tests:
                self._open_tests.pop()
            self._tag_is_test = False
        else:
            self._tag_is_test = tag.rpartition(b":")[2] in TEST_ELEMENTS
            if self._tag_is_test:
                self._open_tests.append([False])
        out.append(buf[start : name.end()])
        self._state, self._tag_last = _TAG, buf[name.end() - 1 : name.end()]
        return name.end()

    def _text(self, buf: bytes, pos: int, end: int, out: list[bytes], final: bool) -> int:
        """Escape text (or a value) running to the buffer's end, holding back a reference it may cut."""
        cut = end
        if not final:
            last = buf.rfind(b"&", max(pos, end - MAX_HOLD))
            if last >= 0 and _REFERENCE_START.match(buf, last).end() == end:
                cut = last
                self._held = buf[last:]
        out.append(self._escape(buf, pos, cut))
        return end

    def _escape(self, buf: bytes, start: int, stop: int) -> bytes:
        """``buf[start:stop]``, a stretch of text or of one attribute value, escaped (a "<" in it is in a
        value: text stops at each "<")."""
        segment = buf[start:stop]
        less = segment.count(b"<")
        stray = 0
        if b"&" in segment:
            segment, stray = _STRAY_AMPERSAND.subn(b"&amp;", segment)
        if not less and not stray:
            return segment
        if less:
            segment = segment.replace(b"<", b"&lt;")
        self.counts[LT] += less
        self.counts[AMP] += stray
        if b"\n" in buf[start:stop]:  # rare: a multi-line value or text; note each repair's line
            for spot in _REPAIR.finditer(buf, start, stop):
                self._at_line(buf, spot.start())
        else:
            self._at_line(buf, start)
        if self._open_tests:
            innermost = self._open_tests[-1]
            if not innermost[0]:
                innermost[0] = True
                self.tests += 1
        else:
            self.elsewhere += less + stray
        return segment

    # -- what was done ------------------------------------------------------------------------------

    def _at_line(self, buf: bytes, position: int) -> None:
        self._line += buf.count(b"\n", self._mark, position)
        self._mark = position
        if self._line != self._last_line:
            self._last_line = self._line
            self.line_count += 1
            if len(self.lines) < SHOWN_LINES:
                self.lines.append(self._line)

    def _count_lines(self, buf: bytes, processed: int) -> None:
        self._line += buf.count(b"\n", self._mark, processed)
        self._mark = 0

    def warning(self, line: int, message: str) -> str:
        """What the run shows: the parser's first complaint, what was escaped where, what to check."""
        parts = []
        if self.counts[LT]:
            parts.append(f"{self.counts[LT]} '<' in attribute values")
        if self.counts[AMP]:
            parts.append(f"{self.counts[AMP]} stray '&'")
        shown = [str(number) for number in self.lines]
        more = self.line_count - len(shown)
        if more:
            where = f"lines {', '.join(shown)} and {more} more"
        elif len(shown) > 1:
            where = f"lines {', '.join(shown[:-1])} and {shown[-1]}"
        else:
            where = f"line {''.join(shown)}"
        if self.tests == 1:
            check = "check the affected test"
        elif self.tests:
            check = f"check the {self.tests} affected tests"
        else:
            check = "no test is affected (the repairs are in suite attributes)"
        if self.tests and self.elsewhere:
            check += " and the suite attributes"
        return (
            f"The report was not well-formed XML (line {line}: {message}); Threadline repaired it "
            f"(escaped {' and '.join(parts)}, on {where}): {check}."
        )
