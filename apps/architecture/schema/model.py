"""The parsed shape of a database schema: what every reader produces and what diff/ERD consume.

All classes are frozen dataclasses made of tuples and strings, so two parses of the same schema
compare equal with ``==`` and a parse can be stored as JSON (``Schema.to_dict``) and reloaded
(``Schema.from_dict``) for diffing later without the original text.

Naming: a table is known by its *qualified name*, ``schema.table``, except that the schema is
left out when it is empty (MySQL, unqualified DDL) or ``public`` (PostgreSQL's default, which
DBML also assumes). That way DBML, a hand-written migration and a ``pg_dump`` of the same
database key their tables the same. The readers store the default schema as ``""`` in
``Table.schema`` for the same reason. Foreign keys point at qualified names.

Column types are normalised text (see ``coltypes.normalize_type``): lower-case canonical names
such as ``integer``, ``varchar(255)``, ``timestamptz``, ``numeric(5,2)``, ``text[]``.
Defaults are SQL expression text with literal casts dropped (``'G'`` rather than
``'G'::mpaa_rating``); auto-numbering (serial, identity, AUTO_INCREMENT, DBML ``increment``,
``nextval(...)``) is the marker ``AUTOINCREMENT``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import SchemaError

#: Default of a column numbered by the database itself (serial, identity, AUTO_INCREMENT...).
AUTOINCREMENT = "autoincrement"

#: Bumped when the dictionary layout changes; ``from_dict`` refuses layouts it doesn't know.
DICT_VERSION = 1

_DEFAULT_SCHEMAS = frozenset({"", "public"})


def qualified_name(schema: str, name: str) -> str:
    """``schema.name``, or just ``name`` for the empty or ``public`` schema."""
    return name if schema in _DEFAULT_SCHEMAS else f"{schema}.{name}"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "nullable": self.nullable,
            "default": self.default,
            "primary_key": self.primary_key,
            "unique": self.unique,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Column:
        return cls(
            name=_str(data, "name"),
            type=_str(data, "type"),
            nullable=bool(data.get("nullable", True)),
            default=None if data.get("default") is None else str(data["default"]),
            primary_key=bool(data.get("primary_key", False)),
            unique=bool(data.get("unique", False)),
            note=str(data.get("note") or ""),
        )


@dataclass(frozen=True)
class Index:
    """A plain or unique index. Primary keys are not indexes here (see ``Table.primary_key``).

    ``columns`` holds column names, or the expression text for an expression index.
    """

    name: str
    columns: tuple[str, ...]
    unique: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "columns": list(self.columns), "unique": self.unique}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Index:
        return cls(name=_str(data, "name"), columns=_strs(data, "columns"), unique=bool(data.get("unique")))


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of the owning table reference ``ref_columns`` of ``ref_table`` (a qualified name).

    ``on_delete`` is lower-case (``cascade``, ``set null``, ``restrict``...) or ``""`` for the
    default behaviour (``NO ACTION``).
    """

    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": list(self.columns),
            "ref_table": self.ref_table,
            "ref_columns": list(self.ref_columns),
            "on_delete": self.on_delete,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ForeignKey:
        return cls(
            name=_str(data, "name"),
            columns=_strs(data, "columns"),
            ref_table=_str(data, "ref_table"),
            ref_columns=_strs(data, "ref_columns"),
            on_delete=str(data.get("on_delete") or ""),
        )


@dataclass(frozen=True)
class Table:
    name: str
    schema: str = ""
    columns: tuple[Column, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    primary_key: tuple[str, ...] = ()
    note: str = ""

    @property
    def qualified_name(self) -> str:
        return qualified_name(self.schema, self.name)

    @cached_property
    def columns_by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    def column(self, name: str) -> Column | None:
        return self.columns_by_name.get(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "schema": self.schema,
            "columns": [column.to_dict() for column in self.columns],
            "indexes": [index.to_dict() for index in self.indexes],
            "foreign_keys": [fk.to_dict() for fk in self.foreign_keys],
            "primary_key": list(self.primary_key),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Table:
        return cls(
            name=_str(data, "name"),
            schema=str(data.get("schema") or ""),
            columns=tuple(Column.from_dict(c) for c in _list(data, "columns")),
            indexes=tuple(Index.from_dict(i) for i in _list(data, "indexes")),
            foreign_keys=tuple(ForeignKey.from_dict(f) for f in _list(data, "foreign_keys")),
            primary_key=_strs(data, "primary_key"),
            note=str(data.get("note") or ""),
        )


@dataclass(frozen=True)
class Schema:
    """Tables in source order, plus what the reader skipped or could not honour (``warnings``)."""

    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @cached_property
    def tables_by_name(self) -> dict[str, Table]:
        return {table.qualified_name: table for table in self.tables}

    def table(self, name: str) -> Table | None:
        return self.tables_by_name.get(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": DICT_VERSION,
            "tables": [table.to_dict() for table in self.tables],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        if not isinstance(data, dict) or data.get("version") != DICT_VERSION:
            raise SchemaError(f"not a stored schema of layout version {DICT_VERSION}")
        try:
            tables = tuple(Table.from_dict(t) for t in _list(data, "tables"))
        except (TypeError, AttributeError) as exc:  # a hand-edited or foreign dictionary
            raise SchemaError(f"malformed stored schema: {exc}") from exc
        return cls(tables=tables, warnings=tuple(str(w) for w in data.get("warnings") or ()))


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise SchemaError(f"malformed stored schema: {key!r} must be a string")
    return value


def _strs(data: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item) for item in _list(data, key))


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list | tuple):
        raise SchemaError(f"malformed stored schema: {key!r} must be a list")
    return list(value)
