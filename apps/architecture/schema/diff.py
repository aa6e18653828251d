"""Compare two versions of a schema and classify every change as breaking or safe.

``diff_schemas(base, revision)`` returns a list of change dictionaries, the same shape the
contracts (OpenAPI) diff uses::

    {"id": "column-type-narrowed", "level": "breaking", "object": "film.title",
     "location": "film.title", "message": "Column film.title changed type from text to varchar(100): ..."}

``object`` (and ``location``, the same text) is ``<table>``, ``<table>.<column>``,
``<table>.<index or constraint name>`` -- tables by qualified name. Changes come breaking
first, then by object, then by id. ``CHANGE_IDS`` below is the full list of ids.

Matching rules (so that renaming or re-spelling is not a change):

- tables by qualified name, columns by name (a rename is a removal plus an addition);
- indexes by (columns, unique), not by name; a column's own UNIQUE counts as a unique index on
  it, so moving uniqueness between a constraint and an index is no change;
- foreign keys by (columns, referenced table, referenced columns); a different ON DELETE on
  the same key is ``foreign-key-changed``;
- the indexes and keys of an added or removed table are part of that table's change.
"""

from __future__ import annotations

from collections import defaultdict

from .model import AUTOINCREMENT, Column, Schema, Table
from .typerules import compare_types

#: id -> (level, what it means). Ids are stable: the Django side and API clients key on them.
CHANGE_IDS: dict[str, tuple[str, str]] = {
    "table-added": ("safe", "A table was added."),
    "table-removed": ("breaking", "A table was removed; everything reading or writing it fails."),
    "column-added": ("safe", "A column was added that is nullable or has a default."),
    "column-added-not-null-without-default": (
        "breaking",
        "A NOT NULL column without a default was added: existing rows have no value for it and inserts "
        "that omit it fail.",
    ),
    "column-removed": ("breaking", "A column was removed; queries naming it fail."),
    "column-type-narrowed": (
        "breaking",
        "A column's type got smaller (shorter varchar/char, smaller numeric precision or scale, "
        "bigint -> integer -> smallint, text -> varchar(n), timestamp -> date...): existing values may not fit.",
    ),
    "column-type-widened": ("safe", "A column's type got larger; every existing value still fits."),
    "column-type-changed": ("breaking", "A column's type changed to one not comparable with it (integer -> text)."),
    "column-became-not-null": ("breaking", "A column became NOT NULL without a default: inserts that omit it fail."),
    "column-became-not-null-with-default": (
        "safe",
        "A column became NOT NULL and has a default, so inserts that omit it still work (existing NULL "
        "rows must have been filled in first, or the migration itself fails).",
    ),
    "column-became-nullable": ("safe", "A column now accepts NULL."),
    "column-default-added": ("safe", "A column got a default value."),
    "column-default-removed": ("safe", "A nullable column lost its default value; omitted values become NULL."),
    "column-default-removed-not-null": (
        "breaking",
        "A NOT NULL column lost its default value: inserts that omit it fail.",
    ),
    "column-default-changed": ("safe", "A column's default value changed."),
    "primary-key-changed": ("breaking", "A table's primary key was added, removed or changed."),
    "index-added": ("safe", "A (non-unique) index was added."),
    "index-removed": ("safe", "A (non-unique) index was removed; queries may get slower."),
    "unique-index-added": (
        "breaking",
        "A UNIQUE constraint or index was added: it fails to build on existing duplicates, and inserts "
        "that duplicate a value fail.",
    ),
    "unique-index-removed": ("safe", "A UNIQUE constraint or index was removed."),
    "foreign-key-added": ("breaking", "A foreign key was added: it fails on existing rows that do not match."),
    "foreign-key-removed": ("safe", "A foreign key was removed."),
    "foreign-key-changed": ("breaking", "A foreign key's ON DELETE behaviour changed."),
}

_TYPE_IDS = {"widened": "column-type-widened", "narrowed": "column-type-narrowed", "changed": "column-type-changed"}


def diff_schemas(base: Schema, revision: Schema) -> list[dict[str, str]]:
    """Every change from ``base`` to ``revision``, breaking first; see the module docstring."""
    changes: list[dict[str, str]] = []
    old_tables, new_tables = base.tables_by_name, revision.tables_by_name
    for name, table in new_tables.items():
        if name not in old_tables:
            changes.append(_change("table-added", name, f"Table {name} was added ({_count(table.columns, 'column')})."))
    for name, table in old_tables.items():
        if name not in new_tables:
            changes.append(_change("table-removed", name, f"Table {name} was removed."))
        else:
            changes += _table_changes(name, table, new_tables[name])
    changes.sort(key=lambda c: (c["level"] != "breaking", c["object"], c["id"], c["message"]))
    return changes


def is_breaking(changes: list[dict[str, str]]) -> bool:
    """Whether any change in a ``diff_schemas`` result is breaking."""
    return any(change["level"] == "breaking" for change in changes)


def _change(change_id: str, obj: str, message: str) -> dict[str, str]:
    return {"id": change_id, "level": CHANGE_IDS[change_id][0], "object": obj, "location": obj, "message": message}


def _table_changes(name: str, old: Table, new: Table) -> list[dict[str, str]]:
    changes = []
    for column in new.columns:
        if old.column(column.name) is None:
            changes.append(_column_added(name, column))
    for column in old.columns:
        after = new.column(column.name)
        obj = f"{name}.{column.name}"
        if after is None:
            changes.append(_change("column-removed", obj, f"Column {obj} ({column.type}) was removed."))
        else:
            changes += _column_changes(obj, column, after)
    if old.primary_key != new.primary_key:
        before = _columns(old.primary_key) if old.primary_key else "none"
        after = _columns(new.primary_key) if new.primary_key else "none"
        message = f"The primary key of {name} changed from {before} to {after}."
        changes.append(_change("primary-key-changed", name, message))
    changes += _index_changes(name, old, new)
    changes += _foreign_key_changes(name, old, new)
    return changes


def _column_added(table: str, column: Column) -> dict[str, str]:
    obj = f"{table}.{column.name}"
    described = _describe(column)
    if not column.nullable and column.default is None:
        return _change(
            "column-added-not-null-without-default",
            obj,
            f"Column {obj} ({described}) was added as NOT NULL without a default; "
            "existing rows and inserts that omit it have no value for it.",
        )
    return _change("column-added", obj, f"Column {obj} ({described}) was added.")


def _column_changes(obj: str, old: Column, new: Column) -> list[dict[str, str]]:
    changes = []
    verdict = compare_types(old.type, new.type)
    if verdict != "same":
        explain = {
            "widened": "every existing value still fits",
            "narrowed": "existing values may not fit",
            "changed": "the types are not comparable",
        }[verdict]
        changes.append(
            _change(_TYPE_IDS[verdict], obj, f"Column {obj} changed type from {old.type} to {new.type}: {explain}.")
        )
    if old.nullable and not new.nullable:
        if new.default is None:
            changes.append(_change("column-became-not-null", obj, f"Column {obj} became NOT NULL without a default."))
        else:
            changes.append(
                _change(
                    "column-became-not-null-with-default",
                    obj,
                    f"Column {obj} became NOT NULL; it has the default {_show(new.default)}.",
                )
            )
    elif not old.nullable and new.nullable:
        changes.append(_change("column-became-nullable", obj, f"Column {obj} now accepts NULL."))
    if old.default != new.default:
        if old.default is None:
            changes.append(_change("column-default-added", obj, f"Column {obj} got the default {_show(new.default)}."))
        elif new.default is None:
            change_id = "column-default-removed" if new.nullable else "column-default-removed-not-null"
            changes.append(_change(change_id, obj, f"Column {obj} lost its default {_show(old.default)}."))
        else:
            changes.append(
                _change(
                    "column-default-changed",
                    obj,
                    f"The default of column {obj} changed from {_show(old.default)} to {_show(new.default)}.",
                )
            )
    return changes


def _unique_and_plain_indexes(table: Table) -> dict[tuple[tuple[str, ...], bool], list[str]]:
    """(columns, unique) -> objects naming them; a column's own UNIQUE is a unique index on it."""
    found: dict[tuple[tuple[str, ...], bool], list[str]] = defaultdict(list)
    for column in table.columns:
        if column.unique:
            found[((column.name,), True)].append(column.name)
    for index in table.indexes:
        found[(index.columns, index.unique)].append(index.name)
    return found


def _index_changes(name: str, old: Table, new: Table) -> list[dict[str, str]]:
    changes = []
    before, after = _unique_and_plain_indexes(old), _unique_and_plain_indexes(new)
    for (columns, unique), names in after.items():
        for extra in _unmatched(names, before.get((columns, unique), [])):
            kind, change_id = ("Unique index", "unique-index-added") if unique else ("Index", "index-added")
            obj = f"{name}.{extra}"
            changes.append(_change(change_id, obj, f"{kind} {obj} on {_columns(columns)} was added."))
    for (columns, unique), names in before.items():
        for missing in _unmatched(names, after.get((columns, unique), [])):
            kind, change_id = ("Unique index", "unique-index-removed") if unique else ("Index", "index-removed")
            obj = f"{name}.{missing}"
            changes.append(_change(change_id, obj, f"{kind} {obj} on {_columns(columns)} was removed."))
    return changes


def _foreign_key_changes(name: str, old: Table, new: Table) -> list[dict[str, str]]:
    def keyed(table: Table) -> dict[tuple, list]:
        found: dict[tuple, list] = defaultdict(list)
        for fk in table.foreign_keys:
            found[(fk.columns, fk.ref_table, fk.ref_columns)].append(fk)
        return found

    changes = []
    before, after = keyed(old), keyed(new)
    for key, fks in after.items():
        olds = before.get(key, [])
        for fk, previous in zip(fks, olds, strict=False):
            if fk.on_delete != previous.on_delete:
                obj = f"{name}.{fk.name}"
                changes.append(
                    _change(
                        "foreign-key-changed",
                        obj,
                        f"Foreign key {obj} now does ON DELETE {fk.on_delete or 'no action'} "
                        f"(was {previous.on_delete or 'no action'}).",
                    )
                )
        for fk in fks[len(olds) :]:
            obj = f"{name}.{fk.name}"
            changes.append(_change("foreign-key-added", obj, f"Foreign key {obj} {_reference(fk)} was added."))
    for key, fks in before.items():
        for fk in fks[len(after.get(key, [])) :]:
            obj = f"{name}.{fk.name}"
            changes.append(_change("foreign-key-removed", obj, f"Foreign key {obj} {_reference(fk)} was removed."))
    return changes


def _unmatched(names: list[str], others: list[str]) -> list[str]:
    """Names in ``names`` beyond how many ``others`` there are, preferring names ``others`` lacks."""
    surplus = len(names) - len(others)
    if surplus <= 0:
        return []
    fresh = [n for n in names if n not in others]
    return (fresh + [n for n in names if n in others])[:surplus]


def _reference(fk) -> str:
    return f"({_columns(fk.columns)} -> {fk.ref_table} {_columns(fk.ref_columns)})"


def _describe(column: Column) -> str:
    parts = [column.type, "NULL" if column.nullable else "NOT NULL"]
    if column.default is not None:
        parts.append(f"default {_show(column.default)}")
    return ", ".join(parts)


def _show(default: str | None) -> str:
    return "auto-increment" if default == AUTOINCREMENT else str(default)


def _columns(columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"


def _count(items: tuple, noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
