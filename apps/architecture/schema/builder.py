"""Mutable drafts the readers fill statement by statement, frozen into a ``Schema`` at the end.

Both readers (DDL and DBML) go through here so they agree on the details that make two
sources of the same schema compare equal:

- a primary key makes its columns NOT NULL and ``primary_key=True`` (as every database does);
- a single-column UNIQUE *constraint* sets ``Column.unique``; a multi-column one, or a UNIQUE
  *index*, is an ``Index(unique=True)``;
- unnamed indexes, unique constraints and foreign keys get the name PostgreSQL would give
  them (``<table>_<cols>_idx`` / ``_key`` / ``_fkey``), so an unnamed index in DBML and the
  same unnamed ``CREATE INDEX`` in SQL have the same name;
- a foreign key that names no referenced columns points at the referenced table's primary key;
- ``PARTITION OF`` / ``LIKE`` tables without their own columns get their parent's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .model import Column, ForeignKey, Index, Schema, Table, qualified_name

_IDENTIFIER = re.compile(r"^[^\W\d]\w*$")


@dataclass
class ColumnDraft:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    unique: bool = False
    note: str = ""
    position: int = 0  # definition order, kept through renames and MODIFY COLUMN


@dataclass
class TableDraft:
    name: str
    schema: str
    line: int | None = None
    note: str = ""
    position: int = 0
    # keyed by name so that replacing, dropping and renaming cost O(1), whatever the table's size
    columns: dict[str, ColumnDraft] = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    indexes: dict[str, Index] = field(default_factory=dict)
    foreign_keys: dict[str, ForeignKey] = field(default_factory=dict)
    #: constraint name -> what it made, so ``DROP CONSTRAINT name`` can undo it
    constraint_names: dict[str, str] = field(default_factory=dict)
    copy_columns_from: str | None = None
    next_position: int = 0

    @property
    def qualified_name(self) -> str:
        return qualified_name(self.schema, self.name)

    def add_column(self, column: ColumnDraft, primary_key: bool = False) -> None:
        previous = self.columns.get(column.name)
        if previous is not None:
            column.position = previous.position
        else:
            column.position = self.next_position
            self.next_position += 1
        self.columns[column.name] = column
        if primary_key and column.name not in self.primary_key:
            self.primary_key.append(column.name)

    def drop_column(self, name: str) -> None:
        self.columns.pop(name, None)
        self.primary_key = [c for c in self.primary_key if c != name]
        self.indexes = {k: i for k, i in self.indexes.items() if name not in i.columns}
        self.foreign_keys = {k: f for k, f in self.foreign_keys.items() if name not in f.columns}

    def replace_column(self, old: str, column: ColumnDraft) -> None:
        """MODIFY / CHANGE COLUMN: the new definition takes the old one's place (and its keys)."""
        if old in self.columns:
            self.rename_column(old, column.name)
            column.position = self.columns[column.name].position
            self.columns[column.name] = column
        else:
            self.add_column(column)

    def rename_column(self, old: str, new: str) -> None:
        column = self.columns.pop(old, None)
        if column is None:
            return
        column.name = new
        self.columns[new] = column

        def rename(cols: list[str] | tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if c == old else c for c in cols)

        self.primary_key = list(rename(self.primary_key))
        self.indexes = {k: Index(i.name, rename(i.columns), i.unique) for k, i in self.indexes.items()}
        self.foreign_keys = {
            k: ForeignKey(f.name, rename(f.columns), f.ref_table, f.ref_columns, f.on_delete)
            for k, f in self.foreign_keys.items()
        }

    def set_primary_key(self, columns: list[str] | tuple[str, ...], name: str | None = None) -> None:
        self.primary_key = list(columns)
        if name:
            self.constraint_names[name] = "primary_key"

    def add_index(self, name: str | None, columns: list[str] | tuple[str, ...], unique: bool = False) -> None:
        name = name or default_name(self.name, columns, "idx")
        self.indexes[name] = Index(name, tuple(columns), unique)

    def add_unique(self, name: str | None, columns: list[str] | tuple[str, ...]) -> None:
        if len(columns) == 1 and columns[0] in self.columns:
            self.columns[columns[0]].unique = True
            if name:
                self.constraint_names[name] = "unique:" + columns[0]
            return
        self.add_index(name or default_name(self.name, columns, "key"), columns, unique=True)

    def add_foreign_key(
        self,
        name: str | None,
        columns: list[str] | tuple[str, ...],
        ref_table: str,
        ref_columns: list[str] | tuple[str, ...],
        on_delete: str = "",
    ) -> None:
        name = name or default_name(self.name, columns, "fkey")
        self.foreign_keys[name] = ForeignKey(name, tuple(columns), ref_table, tuple(ref_columns), on_delete)

    def drop_constraint(self, name: str) -> None:
        made = self.constraint_names.pop(name, "")
        if made == "primary_key":
            self.primary_key = []
        elif made.startswith("unique:") and made[7:] in self.columns:
            self.columns[made[7:]].unique = False
        self.indexes.pop(name, None)
        self.foreign_keys.pop(name, None)

    def build(self) -> Table:
        pk = tuple(c for c in self.primary_key if c in self.columns)
        columns = tuple(
            Column(
                name=c.name,
                type=c.type,
                nullable=c.nullable and c.name not in pk,
                default=c.default,
                primary_key=c.name in pk,
                unique=c.unique,
                note=c.note,
            )
            for c in sorted(self.columns.values(), key=_position)
        )
        return Table(
            name=self.name,
            schema=self.schema,
            columns=columns,
            indexes=tuple(self.indexes.values()),
            foreign_keys=tuple(self.foreign_keys.values()),
            primary_key=pk,
            note=self.note,
        )


class SchemaDraft:
    """Tables by qualified name in definition order, plus skipped statements and warnings."""

    def __init__(self) -> None:
        self.tables: dict[str, TableDraft] = {}
        self.created = 0
        self.skipped: Counter[str] = Counter()
        self.warnings: list[str] = []

    def create_table(self, schema: str, name: str, line: int | None = None) -> TableDraft:
        self.created += 1
        draft = TableDraft(name=name, schema=_schema(schema), line=line, position=self.created)
        key = draft.qualified_name
        if key in self.tables:
            self.warnings.append(f"table {key} is defined twice (line {line}); the later definition is used")
        self.tables[key] = draft
        return draft

    def get(self, schema: str, name: str) -> TableDraft | None:
        return self.tables.get(qualified_name(schema, name))

    def drop_table(self, schema: str, name: str) -> None:
        self.tables.pop(qualified_name(schema, name), None)

    def rename_table(self, draft: TableDraft, schema: str, name: str) -> None:
        self.tables.pop(draft.qualified_name, None)
        draft.schema, draft.name = _schema(schema), name
        self.tables[draft.qualified_name] = draft

    def build(self) -> Schema:
        for draft in self.tables.values():
            parent = self.tables.get(draft.copy_columns_from or "")
            if parent is not None and parent is not draft and not draft.columns:
                for column in parent.columns.values():
                    draft.columns[column.name] = ColumnDraft(**vars(column))
                draft.primary_key = draft.primary_key or list(parent.primary_key)
        for draft in self.tables.values():
            for key, fk in draft.foreign_keys.items():
                target = self.tables.get(fk.ref_table)
                if not fk.ref_columns and target is not None and target.primary_key:
                    draft.foreign_keys[key] = ForeignKey(
                        fk.name, fk.columns, fk.ref_table, tuple(target.primary_key), fk.on_delete
                    )
        warnings = list(self.warnings)
        if self.skipped:
            total = sum(self.skipped.values())
            kinds = ", ".join(f"{kind} ×{count}" for kind, count in sorted(self.skipped.items(), key=_by_count))
            plural = "s" if total != 1 else ""
            warnings.insert(0, f"skipped {total} statement{plural} that do not define tables ({kinds})")
        tables = tuple(d.build() for d in sorted(self.tables.values(), key=_position))
        return Schema(tables=tables, warnings=tuple(warnings))


def _schema(schema: str) -> str:
    """PostgreSQL's default schema is stored as "", like MySQL's and DBML's unqualified tables."""
    return "" if schema == "public" else schema


def default_name(table: str, columns: list[str] | tuple[str, ...], suffix: str) -> str:
    """The name PostgreSQL gives an unnamed index/constraint: ``<table>_<col>_<col>_<suffix>``."""
    parts = [c if _IDENTIFIER.match(c) else "expr" for c in columns]
    return "_".join([table, *parts, suffix])


def _position(draft: ColumnDraft | TableDraft) -> int:
    return draft.position


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])
