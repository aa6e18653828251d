"""Split a SQL script into statements in one linear pass, without understanding them.

Why not let sqlglot split: a real dump is mostly things we do not read (function bodies, views,
``COPY`` data, MySQL ``DELIMITER`` blocks) and sqlglot would tokenize and try to parse all of
it. This scanner only knows where a statement ends:

- ``'...'`` strings (``''`` escapes; backslash escapes in MySQL and PostgreSQL ``E'...'``),
  ``"..."`` identifiers (strings in MySQL), MySQL backtick identifiers;
- ``-- ...`` and ``/* ... */`` comments (nested in PostgreSQL), MySQL ``# ...``; MySQL's
  ``/*!40101 ... */`` version comments count as comments (what they wrap is session setup);
- PostgreSQL dollar quotes ``$$ ... $$`` / ``$_$ ... $_$`` / ``$body$ ... $body$``;
- ``COPY ... FROM stdin;`` followed by data lines up to a line ``\\.``: the data is skipped;
- psql meta-commands (a line starting with a backslash, e.g. ``\\c chinook``) at a statement
  start, which end at the end of the line;
- MySQL ``DELIMITER xx`` lines, which change the terminator until the next ``DELIMITER``.

Every search moves forward (regex jumps to the next interesting character, ``str.find`` for
closing quotes), so the cost is linear in the input. Nothing here executes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its text without the terminator, and the 1-based line it starts on.

    ``meta`` marks a psql meta-command (``\\c db``), which is not SQL at all.
    """

    text: str
    line: int
    meta: bool = False


_BLANK = {
    "postgres": re.compile(r"(?:\s+|--[^\n]*)*"),  # block comments nest here: skipped by hand
    "mysql": re.compile(r"(?:\s+|--[^\n]*|#[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*"),
}
_DELIMITER_LINE = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
_COPY_FROM_STDIN = re.compile(r"COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'")
_SINGLE_QUOTED_BACKSLASH = re.compile(r"'(?:[^'\\]|\\.|'')*'", re.DOTALL)
_DOUBLE_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_DOUBLE_QUOTED_BACKSLASH = re.compile(r'"(?:[^"\\]|\\.|"")*"', re.DOTALL)
_BACKTICKED = re.compile(r"`(?:[^`]|``)*`")
_COMMENT_EDGE = re.compile(r"/\*|\*/")


class _Lines:
    """1-based line of a position; positions must be asked in increasing order (linear total)."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def split_statements(text: str, dialect: str = "postgres") -> Iterator[Statement]:
    """Yield the statements of ``text`` (``dialect``: ``postgres`` or ``mysql``) in order."""
    mysql = dialect == "mysql"
    blank = _BLANK["mysql" if mysql else "postgres"]
    lines = _Lines(text)
    delimiter = ";"
    pos, end = 0, len(text)
    while True:
        pos = blank.match(text, pos).end()
        while not mysql and text.startswith("/*", pos):
            pos = blank.match(text, _after_block_comment(text, pos, nested=True)).end()
        if pos >= end or text.startswith("/*", pos):  # nothing left but an unterminated comment
            return
        if not mysql and text[pos] == "\\":
            eol = _end_of_line(text, pos)
            yield Statement(text[pos:eol].strip(), lines.at(pos), meta=True)
            pos = eol
            continue
        if mysql and text[pos] in "dD":
            match = _DELIMITER_LINE.match(text, pos)
            if match:
                delimiter = match.group(1)
                pos = match.end()
                continue
        stop, after = _find_terminator(text, pos, delimiter, mysql)
        body = text[pos:stop].rstrip()
        if body:
            yield Statement(body, lines.at(pos))
        pos = after
        if not mysql and body[:4].upper() == "COPY" and _COPY_FROM_STDIN.match(body):
            pos = _skip_copy_data(text, pos)


def _find_terminator(text: str, pos: int, delimiter: str, mysql: bool) -> tuple[int, int]:
    """(end of the statement, position after its terminator); the end of text if unterminated."""
    specials = "'\"-/" + ("`#" if mysql else "$")
    if delimiter[0] not in specials:
        specials += delimiter[0]
    jump = _special_chars(specials)
    end = len(text)
    i = pos
    while True:
        match = jump.search(text, i)
        if match is None:
            return end, end
        i = match.start()
        char = text[i]
        if char == delimiter[0] and text.startswith(delimiter, i):
            return i, i + len(delimiter)
        if char == "'":
            escapes = mysql or (i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_word(text[i - 2])))
            i = _after(_SINGLE_QUOTED_BACKSLASH if escapes else _SINGLE_QUOTED, text, i)
        elif char == '"':
            i = _after(_DOUBLE_QUOTED_BACKSLASH if mysql else _DOUBLE_QUOTED, text, i)
        elif char == "`":
            i = _after(_BACKTICKED, text, i)
        elif char == "#" or (char == "-" and text.startswith("--", i)):
            i = _end_of_line(text, i)
        elif char == "/" and text.startswith("/*", i):
            i = _after_block_comment(text, i, nested=not mysql)
        elif char == "$" and not (i > 0 and _is_word(text[i - 1])):
            tag = _DOLLAR_TAG.match(text, i)
            if tag:
                close = text.find(tag.group(), tag.end())
                i = end if close < 0 else close + len(tag.group())
            else:
                i += 1
        else:
            i += 1


_SPECIALS_CACHE: dict[str, re.Pattern[str]] = {}


def _special_chars(chars: str) -> re.Pattern[str]:
    pattern = _SPECIALS_CACHE.get(chars)
    if pattern is None:
        pattern = _SPECIALS_CACHE[chars] = re.compile("[" + re.escape(chars) + "]")
    return pattern


def _after(pattern: re.Pattern[str], text: str, i: int) -> int:
    match = pattern.match(text, i)
    return match.end() if match else len(text)  # unterminated: the rest is inside the quote


def _after_block_comment(text: str, i: int, nested: bool) -> int:
    if not nested:
        close = text.find("*/", i + 2)
        return len(text) if close < 0 else close + 2
    depth = 0
    for edge in _COMMENT_EDGE.finditer(text, i):
        depth += 1 if edge.group() == "/*" else -1
        if depth == 0:
            return edge.end()
    return len(text)


def _end_of_line(text: str, i: int) -> int:
    eol = text.find("\n", i)
    return len(text) if eol < 0 else eol


def _skip_copy_data(text: str, pos: int) -> int:
    """Skip ``COPY ... FROM stdin`` data: every line up to and including a line ``\\.``."""
    eol = text.find("\n", pos)
    if eol < 0:
        return len(text)
    if text.startswith("\\.", eol + 1) and _line_is_terminator(text, eol + 1):
        return _end_of_line(text, eol + 1)
    i = eol
    while True:
        i = text.find("\n\\.", i)
        if i < 0:
            return len(text)
        if _line_is_terminator(text, i + 1):
            return _end_of_line(text, i + 1)
        i += 1


def _line_is_terminator(text: str, start: int) -> bool:
    rest = text[start + 2 : start + 4]
    return rest == "" or rest[0] == "\n" or rest == "\r\n" or (rest[0] == "\r" and len(rest) == 1)


def _is_word(char: str) -> bool:
    return char.isalnum() or char in "_$"
