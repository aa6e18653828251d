"""Draw a ``Schema`` as a Mermaid ``erDiagram``, safe to render whatever the schema contains.

Table, column and type names come from uploaded files, so every piece of text is rebuilt from a
whitelist rather than escaped:

- entity, attribute, type and relationship-label names keep only ``[A-Za-z0-9_]``; anything
  else becomes ``_`` (``character varying(255)`` -> ``varchar_255``, ``text[]`` -> ``text_array``),
  a name must start with a letter, and words Mermaid's ER lexer treats as keywords
  (``end``, ``style``, ``class``, ``one``, ``PK``...) get a trailing ``_``. Clashes after this get
  ``_2``, ``_3``...;
- column notes become attribute comments holding only letters, digits, spaces and ``_ . , ; ( ) / + = * -``.

So the output has no ``%`` (no ``%%{init}%%`` directive or comment), no quotes except the ones
this module writes around comments and labels, no ``<``, ``>``, ``&``, ``:`` inside names, no
line breaks inside a statement. (Grammar: mermaid ``packages/mermaid/src/diagrams/er/parser/
erDiagram.jison``; the conservative subset used here parses in Mermaid 9 to 11.)
"""

from __future__ import annotations

import re

from .model import Schema, Table

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")
_COMMENT_CHARS = frozenset(" _.,;()/+=*-")
#: Entity names Mermaid's ER lexer reads as keywords (case-insensitive); checked against Mermaid 11.
_ENTITY_RESERVED = frozenset(
    [
        *("erdiagram", "style", "classdef", "class", "subgraph", "end", "direction", "acctitle", "accdescr"),
        *("one", "many", "only", "zero", "or", "more", "to", "optionally", "u", "pk", "fk", "uk"),
    ]
)
#: Inside an entity block only the key markers are keywords.
_ATTRIBUTE_RESERVED = frozenset(["pk", "fk", "uk"])
_MAX_NAME = 60
_MAX_COMMENT = 80


def erd_mermaid(
    schema: Schema, *, tables: set[str] | None = None, max_tables: int | None = None
) -> tuple[str, int, bool]:
    """(Mermaid source, number of tables drawn, whether tables were left out by ``max_tables``).

    ``tables`` limits the drawing to those qualified names (others are ignored); foreign keys
    are drawn only between tables that are drawn.
    """
    chosen = [t for t in schema.tables if tables is None or t.qualified_name in tables]
    truncated = max_tables is not None and len(chosen) > max_tables
    if truncated:
        chosen = chosen[: max(max_tables or 0, 0)]
    entities = _entity_names(chosen)
    lines = ["erDiagram"]
    for table in chosen:
        lines += _entity(table, entities[table.qualified_name])
    for table in chosen:
        lines += _relationships(table, entities)
    return "\n".join(lines) + "\n", len(chosen), truncated


def safe_name(text: str, fallback: str = "x", reserved: frozenset[str] = _ENTITY_RESERVED) -> str:
    """An identifier Mermaid's ER grammar reads as one plain word, never a keyword."""
    name = _NOT_NAME.sub("_", text.replace("[]", "_array")).strip("_")[:_MAX_NAME].strip("_")
    if not name:
        name = fallback
    if not name[0].isalpha():
        name = f"{fallback}_{name}"
    if name.lower() in reserved:
        name += "_"
    return name


def safe_comment(text: str) -> str:
    """Comment text with nothing Mermaid (or HTML) could read as syntax."""
    kept = "".join(c if c.isascii() and (c.isalnum() or c in _COMMENT_CHARS) else " " for c in text)
    return " ".join(kept.split())[:_MAX_COMMENT].strip()


def _entity_names(tables: list[Table]) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()
    for table in tables:
        base = safe_name(f"{table.schema}__{table.name}" if table.schema else table.name, "t")
        names[table.qualified_name] = _unique(base, used)
    return names


def _unique(base: str, used: set[str]) -> str:
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name.lower())
    return name


def _entity(table: Table, entity: str) -> list[str]:
    if not table.columns:
        return [f"    {entity}"]
    fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
    unique_columns = {c.name for c in table.columns if c.unique}
    unique_columns |= {i.columns[0] for i in table.indexes if i.unique and len(i.columns) == 1}
    lines = [f"    {entity} {{"]
    used: set[str] = set()
    for column in table.columns:
        keys = [
            key
            for key, present in (
                ("PK", column.primary_key),
                ("FK", column.name in fk_columns),
                ("UK", column.name in unique_columns and not column.primary_key),
            )
            if present
        ]
        kind = safe_name(column.type, "t", _ATTRIBUTE_RESERVED)
        line = f"        {kind} {_unique(safe_name(column.name, 'c', _ATTRIBUTE_RESERVED), used)}"
        if keys:
            line += " " + ", ".join(keys)
        comment = safe_comment(column.note)
        if comment:
            line += f' "{comment}"'
        lines.append(line)
    lines.append("    }")
    return lines


def _relationships(table: Table, entities: dict[str, str]) -> list[str]:
    lines = []
    child = entities[table.qualified_name]
    for fk in table.foreign_keys:
        parent = entities.get(fk.ref_table)
        if parent is None:
            continue  # the referenced table is not drawn
        columns = [table.column(c) for c in fk.columns]
        required = all(c is not None and not c.nullable for c in columns)
        parent_end = "||" if required else "|o"
        child_end = "o|" if _is_unique(table, fk.columns) else "o{"
        line = "--" if fk.columns and set(fk.columns) <= set(table.primary_key) else ".."
        lines.append(f'    {parent} {parent_end}{line}{child_end} {child} : "{safe_name(fk.name, "fk")}"')
    return lines


def _is_unique(table: Table, columns: tuple[str, ...]) -> bool:
    if set(columns) == set(table.primary_key) and columns:
        return True
    if len(columns) == 1:
        column = table.column(columns[0])
        if column is not None and column.unique:
            return True
    return any(i.unique and set(i.columns) == set(columns) for i in table.indexes)
