"""Read DBML (via pydbml) into a ``Schema``, and write a ``Schema`` back out as DBML.

Reading follows @dbml/core, DBML's reference implementation, where pydbml leaves a choice:

- ``>``: the left columns reference the right ones; ``<``: the right reference the left;
  ``-`` (one-to-one): written inline, the column holding the ``ref`` references the other
  end; written as a ``Ref:``, the *right* end references the left (as @dbml/core exports it);
- ``<>`` (many-to-many) becomes the junction table it implies, exactly as @dbml/core's SQL
  export writes it: ``<table1>_<table2>`` in table1's schema (``(1)``, ``(2)``... appended when
  the name is taken), columns ``<table>_<column>`` of the referenced types, all of them the
  primary key, one foreign key to each side. A warning names each junction table. (For an
  inline ``<>`` the referenced table comes first, as @dbml/core orders the endpoints.)
- enums are column types (their name, schema-qualified outside ``public``); their values are
  not part of the ``Schema``.

``export_dbml`` writes what ``parse_dbml`` reads back into an equal ``Schema``, with the
limits DBML itself has: names containing a double quote cannot be written, and a table without
columns, or a foreign key to a table or column that is not in the schema, is written as a
comment only.
"""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    # pydbml 1.2.1 uses pyparsing's camelCase API, deprecated in pyparsing 3.3: not ours to fix
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydbml import PyDBML
    from pydbml import exceptions as pydbml_errors
    from pyparsing import ParseBaseException

from .builder import ColumnDraft, SchemaDraft, TableDraft
from .coltypes import is_serial, normalize_type
from .ddl_ast import expression_default, normalize_action
from .errors import SchemaError
from .model import AUTOINCREMENT, Schema, qualified_name

_PYDBML_ERRORS = tuple(
    getattr(pydbml_errors, name)
    for name in (
        "TableNotFoundError",
        "ColumnNotFoundError",
        "IndexNotFoundError",
        "AttributeMissingError",
        "DuplicateReferenceError",
        "DBMLError",
        "DatabaseValidationError",
        "ValidationError",
    )
    if hasattr(pydbml_errors, name)
)


def parse_dbml(text: str) -> Schema:
    """Read DBML text. Syntax errors become ``SchemaError`` with pydbml's line number."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            database = PyDBML(text)
    except ParseBaseException as error:
        message = str(error).split(" (at char")[0].strip() or "syntax error"
        raise SchemaError(f"DBML syntax error: {message}", line=getattr(error, "lineno", None)) from error
    except _PYDBML_ERRORS as error:
        raise SchemaError(f"DBML could not be read: {error}") from error
    except SyntaxError as error:  # pydbml's own check, e.g. "Table x at position 0 has no columns!"
        raise SchemaError(f"DBML could not be read: {error.msg or error}") from error
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as error:
        raise SchemaError(f"DBML could not be read: {error!r}") from error
    if not database.tables:
        raise SchemaError("no Table found in the DBML")
    draft = SchemaDraft()
    for table in database.tables:
        _read_table(draft, table)
    for ref in database.refs:
        _read_ref(draft, ref)
    return draft.build()


def _read_table(draft: SchemaDraft, table) -> None:
    t = draft.create_table(table.schema or "", table.name)
    t.note = _note(table.note)
    for column in table.columns:
        t.add_column(
            ColumnDraft(
                name=column.name,
                type=_type_text(column.type),
                nullable=not column.not_null,
                default=AUTOINCREMENT if column.autoinc or _is_serial(column.type) else _default(column.default),
                unique=bool(column.unique),
                note=_note(column.note),
            ),
            primary_key=bool(column.pk),
        )
    for index in table.indexes:
        columns = [_subject(s) for s in index.subjects]
        if index.pk:
            t.set_primary_key(columns, index.name or None)
        else:
            t.add_index(index.name or None, columns, unique=bool(index.unique))


def _read_ref(draft: SchemaDraft, ref) -> None:
    inline = bool(getattr(ref, "_inline", False))
    left, right = list(ref.col1), list(ref.col2)
    if ref.type == "<>":
        _junction(draft, *((right, left) if inline else (left, right)))
        return
    if ref.type == "<" or (ref.type == "-" and not inline):
        left, right = right, left
    owner = _table_of(draft, left[0])
    if owner is None:
        return
    owner.add_foreign_key(
        ref.name or None,
        [c.name for c in left],
        qualified_name(right[0].table.schema or "", right[0].table.name),
        [c.name for c in right],
        normalize_action(ref.on_delete or ""),
    )


def _junction(draft: SchemaDraft, first: list, second: list) -> None:
    table1, table2 = first[0].table, second[0].table
    schema = table1.schema or ""
    name = base = f"{table1.name}_{table2.name}"
    count = 0
    while draft.get(schema, name) is not None:
        count += 1
        name = f"{base}({count})"
    junction = draft.create_table(schema, name)
    for column in (*first, *second):
        junction.add_column(
            ColumnDraft(name=f"{column.table.name}_{column.name}", type=_type_text(column.type), nullable=False),
            primary_key=True,
        )
    for side in (first, second):
        owner_table = side[0].table
        junction.add_foreign_key(
            None,
            [f"{owner_table.name}_{c.name}" for c in side],
            qualified_name(owner_table.schema or "", owner_table.name),
            [c.name for c in side],
        )
    ends = " <> ".join(qualified_name(t.schema or "", t.name) for t in (table1, table2))
    draft.warnings.append(f"many-to-many reference {ends} is represented by junction table {junction.qualified_name}")


def _table_of(draft: SchemaDraft, column) -> TableDraft | None:
    return draft.get(column.table.schema or "", column.table.name)


def _type_text(column_type) -> str:
    if isinstance(column_type, str):
        return normalize_type(column_type)
    # a pydbml Enum: its (schema-qualified) name is the type
    return qualified_name(getattr(column_type, "schema", "") or "", column_type.name)


def _is_serial(column_type) -> bool:
    return isinstance(column_type, str) and is_serial(column_type)


def _default(value) -> str | None:
    if value is None or value == "NULL":  # pydbml spells the keyword null as "NULL"
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return expression_default(getattr(value, "text", str(value)))


def _subject(subject) -> str:
    if isinstance(subject, str):
        return subject
    return getattr(subject, "name", None) or getattr(subject, "text", str(subject))


def _note(note) -> str:
    text = getattr(note, "text", note) if note is not None else ""
    return text or ""


# -- export -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def export_dbml(schema: Schema) -> str:
    """DBML for ``schema``; ``parse_dbml(export_dbml(s)) == s`` for what DBML can express."""
    blocks = [_table_dbml(table) for table in schema.tables]
    refs = []
    for table in schema.tables:
        for fk in table.foreign_keys:
            if table.columns:
                refs.append(_ref_dbml(schema, table, fk))
    if refs:
        blocks.append("\n".join(refs))
    return "\n\n".join(blocks) + "\n"


def _table_dbml(table) -> str:
    if not table.columns:  # valid SQL (CREATE TABLE t ()), but DBML requires a column
        return f"// table {_quote(table.qualified_name)} has no columns and cannot be written in DBML"
    lines = [f"Table {_table_ref(table.schema, table.name)} {{"]
    composite_pk = len(table.primary_key) > 1
    for column in table.columns:
        settings = []
        if column.primary_key and not composite_pk:
            settings.append("pk")
        if not column.nullable and not column.primary_key:
            settings.append("not null")
        if column.unique:
            settings.append("unique")
        if column.default == AUTOINCREMENT:
            settings.append("increment")
        elif column.default is not None:
            settings.append(f"default: {_default_dbml(column.default)}")
        if column.note:
            settings.append(f"note: {_string(column.note)}")
        suffix = f" [{', '.join(settings)}]" if settings else ""
        lines.append(f"  {_quote(column.name)} {_quote(column.type or 'unknown')}{suffix}")  # DBML needs a type
    index_lines = []
    if composite_pk:
        index_lines.append(f"    ({', '.join(_quote(c) for c in table.primary_key)}) [pk]")
    for index in table.indexes:
        settings = [f"name: {_quote(index.name)}"] + (["unique"] if index.unique else [])
        subjects = ", ".join(_subject_dbml(table, c) for c in index.columns)
        index_lines.append(f"    ({subjects}) [{', '.join(settings)}]")
    if index_lines:
        lines += ["", "  Indexes {", *index_lines, "  }"]
    if table.note:
        lines += ["", f"  Note: {_string(table.note)}"]
    lines.append("}")
    return "\n".join(lines)


def _ref_dbml(schema: Schema, table, fk) -> str:
    target = schema.table(fk.ref_table)
    missing = target is None or not target.columns or any(target.column(c) is None for c in fk.ref_columns)
    if missing or any(table.column(c) is None for c in fk.columns):
        return f"// {fk.name}: {table.qualified_name} -> {fk.ref_table} cannot be written (unknown table or column)"
    left = _endpoint(table.schema, table.name, fk.columns)
    right = _endpoint(target.schema, target.name, fk.ref_columns)
    action = f" [delete: {fk.on_delete}]" if fk.on_delete else ""
    return f"Ref {_quote(fk.name)}: {left} > {right}{action}"


def _endpoint(schema: str, name: str, columns: tuple[str, ...]) -> str:
    if len(columns) == 1:
        return f"{_table_ref(schema, name)}.{_quote(columns[0])}"
    return f"{_table_ref(schema, name)}.({', '.join(_quote(c) for c in columns)})"


def _table_ref(schema: str, name: str) -> str:
    return f"{_quote(schema)}.{_quote(name)}" if schema else _quote(name)


def _subject_dbml(table, column: str) -> str:
    if table.column(column) is not None:
        return _quote(column)
    return "`" + column.replace("`", "'") + "`"  # an expression index


def _default_dbml(default: str) -> str:
    # bare numbers only when pydbml reads them back to the same text (19.990 would become 19.99)
    if _NUMBER.fullmatch(default) and repr(float(default) if "." in default else int(default)) == default:
        return default if not default.startswith("-") else f"`{default}`"  # pydbml rejects "default: -1"
    if default in ("TRUE", "FALSE"):
        return default.lower()
    if len(default) >= 2 and default[0] == default[-1] == "'" and "'" not in default[1:-1].replace("''", ""):
        return _string(default[1:-1].replace("''", "'"))
    return "`" + default.replace("`", "'") + "`"


def _quote(name: str) -> str:
    # DBML has no escape for " or line breaks inside a name: such names cannot round-trip
    return '"' + _CONTROL.sub(" ", name).replace('"', "'") + '"'


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\r", "").replace("\n", "\\n")
    return f"'{escaped}'"
