"""Parse all CREATE TABLE column lists of an input with one sqlglot call, each distinct line once.

Why: sqlglot (pure Python) is most of the parse time, and dumps repeat themselves -- ``id bigint
NOT NULL``, ``created_at timestamp with time zone DEFAULT now() NOT NULL``, every partition of
a partitioned table. A column definition or table constraint means the same wherever it
appears, so the distinct ones are joined into one synthetic ``CREATE TABLE`` and parsed once;
each table then takes its elements' trees from that parse.

Only plain statements take this path: ``CREATE TABLE name (elements) [simple MySQL table
options]`` whose body has no comment, backslash or dollar quote (the element splitter below is
quote-aware but deliberately knows nothing else). Anything else -- and every statement using
an element sqlglot could not read together with others -- goes through the statement-by-
statement path in ``ddl.py``, which also reports errors with their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from .ddl_fast import QNAME, closing_paren, split_top_level

_HEAD = re.compile(rf"CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?{QNAME}\s*\(", re.IGNORECASE)
_OPTION = r"(?:ENGINE|(?:DEFAULT\s+)?(?:CHARSET|CHARACTER\s+SET|COLLATE)|AUTO_INCREMENT|ROW_FORMAT)\s*=?\s*\w+"
_SIMPLE_TAIL = re.compile(
    rf"(?:\s*{_OPTION})*(?:\s*COMMENT\s*=?\s*'((?:[^'\\]|'')*)')?(?:\s*{_OPTION})*\s*$", re.IGNORECASE
)
_UNSAFE_BODY = re.compile(r"--|/\*|#|\\|\$")


@dataclass(frozen=True)
class CreateParts:
    """A plain CREATE TABLE cut into pieces: name as written, IF NOT EXISTS, elements, table comment."""

    name: str
    if_not_exists: bool
    elements: tuple[str, ...]
    note: str


def split_create(text: str) -> CreateParts | None:
    """The pieces of a plain CREATE TABLE, or None when it needs sqlglot's full parse."""
    head = _HEAD.match(text)
    if head is None:
        return None
    close = closing_paren(text, head.end())
    if close is None:
        return None
    body = text[head.end() : close]
    if _UNSAFE_BODY.search(body):
        return None
    tail = _SIMPLE_TAIL.match(text, close + 1)
    if tail is None:
        return None
    elements = tuple(split_top_level(body))  # stripped, otherwise verbatim: whitespace in strings counts
    if not elements:
        return None
    note = (tail.group(1) or "").replace("''", "'")
    return CreateParts(head.group(2), bool(head.group(1)), elements, note)


def parse_elements(elements: list[str], dialect: str, chunk: int = 256) -> dict[str, exp.Expression]:
    """Element text -> parsed tree, ``chunk`` elements per sqlglot call.

    A chunk whose combined parse is not clean (an unreadable element, or a count mismatch) is
    halved until the culprits are in chunks of at most 8; only the statements using those fall
    back to the slow path.
    """
    trees: dict[str, exp.Expression] = {}
    pending = [elements[start : start + chunk] for start in range(0, len(elements), chunk)]
    while pending:
        part = pending.pop()
        parsed = _parse_together(part, dialect)
        if parsed is not None:
            trees.update(zip(part, parsed, strict=True))
        elif len(part) > 8:
            middle = len(part) // 2
            pending += [part[:middle], part[middle:]]
    return trees


def _parse_together(part: list[str], dialect: str) -> list[exp.Expression] | None:
    try:
        tree = sqlglot.parse_one("CREATE TABLE _elements (\n" + ",\n".join(part) + "\n)", read=dialect)
    except Exception:  # any failure just sends these statements the slow way
        return None
    if not isinstance(tree, exp.Create) or not isinstance(tree.this, exp.Schema):
        return None
    return tree.this.expressions if len(tree.this.expressions) == len(part) else None
