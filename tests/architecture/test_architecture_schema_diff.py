"""diff_schemas: one row per change id, the type rules, and the two real version pairs.

The Pagila and Sakila expectations are what the projects' own commit messages say changed
(see tests/fixtures/architecture/sql-ddl/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.architecture.schema import CHANGE_IDS, Schema, diff_schemas, is_breaking, parse_ddl
from apps.architecture.schema.bench import generate_ddl
from apps.architecture.schema.typerules import compare_types

SQL = Path(__file__).resolve().parent.parent / "fixtures" / "architecture" / "sql-ddl"


def ddl_diff(base: str, revision: str) -> list[dict[str, str]]:
    return diff_schemas(parse_ddl(base), parse_ddl(revision))


T = "CREATE TABLE t (id int PRIMARY KEY, {});"
P = "CREATE TABLE p (id int PRIMARY KEY);"

# (change id, level the project decided on, base DDL, revision DDL, object)
CASES = [
    ("table-added", "safe", P, P + "CREATE TABLE q (id int);", "q"),
    ("table-removed", "breaking", P + "CREATE TABLE q (id int);", P, "q"),
    ("column-added", "safe", T.format("a int"), T.format("a int, b text"), "t.b"),
    ("column-added", "safe", T.format("a int"), T.format("a int, b text NOT NULL DEFAULT ''"), "t.b"),
    (
        "column-added-not-null-without-default",
        "breaking",
        T.format("a int"),
        T.format("a int, b text NOT NULL"),
        "t.b",
    ),
    ("column-removed", "breaking", T.format("a int, b text"), T.format("a int"), "t.b"),
    ("column-type-narrowed", "breaking", T.format("a varchar(20)"), T.format("a varchar(10)"), "t.a"),
    ("column-type-narrowed", "breaking", T.format("a bigint"), T.format("a integer"), "t.a"),
    ("column-type-narrowed", "breaking", T.format("a numeric(10,2)"), T.format("a numeric(8,2)"), "t.a"),
    ("column-type-narrowed", "breaking", T.format("a text"), T.format("a varchar(50)"), "t.a"),
    ("column-type-narrowed", "breaking", T.format("a timestamp"), T.format("a date"), "t.a"),
    ("column-type-widened", "safe", T.format("a smallint"), T.format("a integer"), "t.a"),
    ("column-type-widened", "safe", T.format("a character varying(20)"), T.format("a varchar(200)"), "t.a"),
    ("column-type-widened", "safe", T.format("a character(20)"), T.format("a text"), "t.a"),
    ("column-type-changed", "breaking", T.format("a integer"), T.format("a text"), "t.a"),
    ("column-type-changed", "breaking", T.format("a timestamp"), T.format("a timestamptz"), "t.a"),
    ("column-became-not-null", "breaking", T.format("a int"), T.format("a int NOT NULL"), "t.a"),
    (
        "column-became-not-null-with-default",
        "safe",
        T.format("a int DEFAULT 0"),
        T.format("a int NOT NULL DEFAULT 0"),
        "t.a",
    ),
    ("column-became-nullable", "safe", T.format("a int NOT NULL"), T.format("a int"), "t.a"),
    ("column-default-added", "safe", T.format("a int"), T.format("a int DEFAULT 1"), "t.a"),
    ("column-default-removed", "safe", T.format("a int DEFAULT 1"), T.format("a int"), "t.a"),
    (
        "column-default-removed-not-null",
        "breaking",
        T.format("a int NOT NULL DEFAULT 1"),
        T.format("a int NOT NULL"),
        "t.a",
    ),
    ("column-default-changed", "safe", T.format("a int DEFAULT 1"), T.format("a int DEFAULT 2"), "t.a"),
    (
        "primary-key-changed",
        "breaking",
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a));",
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b));",
        "t",
    ),
    ("index-added", "safe", T.format("a int"), T.format("a int") + "CREATE INDEX t_a ON t (a);", "t.t_a"),
    ("index-removed", "safe", T.format("a int") + "CREATE INDEX t_a ON t (a);", T.format("a int"), "t.t_a"),
    (
        "unique-index-added",
        "breaking",
        T.format("a int"),
        T.format("a int") + "CREATE UNIQUE INDEX t_a ON t (a);",
        "t.t_a",
    ),
    ("unique-index-added", "breaking", T.format("a int"), T.format("a int UNIQUE"), "t.a"),
    (
        "unique-index-removed",
        "safe",
        T.format("a int, b int, UNIQUE (a, b)"),
        T.format("a int, b int"),
        "t.t_a_b_key",
    ),
    (
        "foreign-key-added",
        "breaking",
        P + T.format("p_id int"),
        P + T.format("p_id int REFERENCES p (id)"),
        "t.t_p_id_fkey",
    ),
    (
        "foreign-key-removed",
        "safe",
        P + T.format("p_id int, CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id)"),
        P + T.format("p_id int"),
        "t.fk",
    ),
    (
        "foreign-key-changed",
        "breaking",
        P + T.format("p_id int REFERENCES p (id)"),
        P + T.format("p_id int REFERENCES p (id) ON DELETE CASCADE"),
        "t.t_p_id_fkey",
    ),
]


@pytest.mark.parametrize(("change_id", "level", "base", "revision", "obj"), CASES)
def test_each_change_is_classified(change_id, level, base, revision, obj):
    (change,) = ddl_diff(base, revision)
    assert change["id"] == change_id
    assert change["level"] == level == CHANGE_IDS[change_id][0]
    assert change["object"] == change["location"] == obj
    assert obj in change["message"] and change["message"].endswith(".")


def test_every_change_id_has_a_case_and_a_description():
    assert {case[0] for case in CASES} == set(CHANGE_IDS)
    for change_id, (level, description) in CHANGE_IDS.items():
        assert level in ("breaking", "safe") and description
        assert change_id == change_id.lower() and " " not in change_id


def test_a_change_is_the_contracts_shape_and_breaking_ones_come_first():
    base = P + T.format("a int, b varchar(10), c int")
    revision = P + T.format("a int, b varchar(5), d int") + "CREATE TABLE z (id int);"
    changes = ddl_diff(base, revision)
    assert all(set(c) == {"id", "level", "object", "location", "message"} for c in changes)
    assert [(c["level"], c["object"]) for c in changes] == [
        ("breaking", "t.b"),
        ("breaking", "t.c"),
        ("safe", "t.d"),
        ("safe", "z"),
    ]
    assert is_breaking(changes) and not is_breaking([c for c in changes if c["level"] == "safe"])
    assert not is_breaking([])


def test_same_schema_no_changes_and_renames_of_keys_are_not_changes():
    base = P + T.format("a int UNIQUE, p_id int, CONSTRAINT one FOREIGN KEY (p_id) REFERENCES p (id)")
    base += "CREATE INDEX first_name ON t (p_id);"
    revision = P + T.format("a int, p_id int, CONSTRAINT two FOREIGN KEY (p_id) REFERENCES p (id)")
    revision += "CREATE INDEX second_name ON t (p_id); CREATE UNIQUE INDEX t_a_key ON t (a);"
    assert ddl_diff(base, base) == []
    assert ddl_diff(base, revision) == []  # renamed FK and index; UNIQUE moved from column to an index


def test_keys_of_added_and_removed_tables_are_part_of_that_change():
    base = P
    revision = P + "CREATE TABLE q (id int PRIMARY KEY, p_id int REFERENCES p, n int UNIQUE);"
    assert [c["id"] for c in ddl_diff(base, revision)] == ["table-added"]
    assert [c["id"] for c in ddl_diff(revision, base)] == ["table-removed"]


def test_diff_against_a_stored_parse_is_the_same():
    base, revision = parse_ddl(generate_ddl(20)), parse_ddl(generate_ddl(20, variant=1))
    stored = Schema.from_dict(base.to_dict())
    assert diff_schemas(stored, revision) == diff_schemas(base, revision)


def test_the_generated_migration_is_found():
    base, revision = parse_ddl(generate_ddl(40)), parse_ddl(generate_ddl(40, variant=1))
    ids = sorted(c["id"] for c in diff_schemas(base, revision))
    assert ids == ["column-removed", "column-type-narrowed", "column-type-widened", "index-added", "table-added"]


TYPE_RULES = [
    ("smallint", "integer", "widened"),
    ("integer", "bigint", "widened"),
    ("bigint", "integer", "narrowed"),
    ("integer", "smallint", "narrowed"),
    ("smallint unsigned", "integer unsigned", "widened"),
    ("mediumint unsigned", "integer", "widened"),
    ("integer unsigned", "integer", "narrowed"),
    ("integer", "numeric(10,0)", "widened"),
    ("integer", "numeric(5,0)", "narrowed"),
    ("integer", "double precision", "widened"),
    ("bigint", "double precision", "narrowed"),
    ("numeric(5,2)", "numeric(7,3)", "widened"),
    ("numeric(5,2)", "numeric(5,3)", "narrowed"),
    ("numeric(5,2)", "numeric", "widened"),
    ("numeric", "numeric(10,2)", "narrowed"),
    ("real", "double precision", "widened"),
    ("double precision", "real", "narrowed"),
    ("varchar(10)", "varchar(20)", "widened"),
    ("varchar(20)", "varchar(10)", "narrowed"),
    ("char(20)", "text", "widened"),
    ("varchar", "text", "widened"),
    ("text", "varchar(20)", "narrowed"),
    ("varchar(20)", "char(20)", "changed"),
    ("tinytext", "text", "widened"),
    ("mediumtext", "text", "narrowed"),
    ("blob", "longblob", "widened"),
    ("bytea", "varbinary(16)", "narrowed"),
    ("date", "timestamp", "widened"),
    ("timestamptz", "date", "narrowed"),
    ("timestamp(3)", "timestamp", "widened"),
    ("timestamp", "timestamp(0)", "narrowed"),
    ("datetime", "datetime(6)", "widened"),
    ("timestamp", "timestamptz", "changed"),
    ("boolean", "integer", "changed"),
    ("uuid", "text", "changed"),
    ("enum('a','b')", "enum('a','b','c')", "widened"),
    ("enum('a','b')", "enum('a')", "narrowed"),
    ("enum('a','b')", "enum('b','a')", "changed"),
    ("integer[]", "bigint[]", "widened"),
    ("integer[]", "integer", "changed"),
    ("mpaa_rating", "mpaa_rating", "same"),
    ("char", "char(1)", "same"),
]


@pytest.mark.parametrize(("old", "new", "verdict"), TYPE_RULES)
def test_type_rules(old, new, verdict):
    assert compare_types(old, new) == verdict


# -- the real version pairs ---------------------------------------------------------------------


def test_pagila_99d5360_to_85bf46a():
    base = parse_ddl((SQL / "pagila-schema.99d5360.sql").read_text(encoding="utf-8"))
    revision = parse_ddl((SQL / "pagila-schema.85bf46a.sql").read_text(encoding="utf-8"))
    changes = diff_schemas(base, revision)
    found = {(c["id"], c["object"]): c["level"] for c in changes}
    # "Add pgvector example: film_embedding table"
    assert found[("table-added", "film_embedding")] == "safe"
    # "Add uuidv7() columns": uuid uuid DEFAULT uuidv7() NOT NULL -- has a default, so safe
    for table in ("customer", "rental", "payment"):
        assert found[("column-added", f"{table}.uuid")] == "safe"
    # ... on every payment partition too
    assert sum(1 for (i, o) in found if i == "column-added" and o.startswith("payment_p") and o.endswith(".uuid")) == 55
    # ... unique-indexed: a new UNIQUE index can fail on existing data, so breaking
    for index in ("customer.customer_uuid_key", "rental.rental_uuid_key", "payment.payment_uuid_key"):
        assert found[("unique-index-added", index)] == "breaking"
    # "Change language.name from character(20) to text": every char(20) value fits in text
    assert found[("column-type-widened", "language.name")] == "safe"
    # "Add virtual generated column example (film.length_hours)"
    assert found[("column-added", "film.length_hours")] == "safe"
    assert not [c for c in changes if c["id"].endswith("-removed")]
    assert is_breaking(changes)


def test_sakila_ee1a637_to_b3469a9_only_widens_id_columns():
    """jOOQ/jOOQ#13216: every *_id column becomes INT; nothing added or removed."""
    base = parse_ddl((SQL / "mysql-sakila-schema.ee1a637.sql").read_text(encoding="utf-8"), "mysql")
    revision = parse_ddl((SQL / "mysql-sakila-schema.b3469a9.sql").read_text(encoding="utf-8"), "mysql")
    changes = diff_schemas(base, revision)
    assert changes
    assert {c["id"] for c in changes} == {"column-type-widened"}
    assert not is_breaking(changes)
    assert all(c["object"].endswith("_id") for c in changes)
    # every *_id column that was SMALLINT / TINYINT / MEDIUMINT is reported, and is INT now
    narrow_before = {
        f"{t.name}.{c.name}"
        for t in base.tables
        for c in t.columns
        if c.name.endswith("_id") and c.type.split()[0] in ("smallint", "tinyint", "mediumint")
    }
    assert {c["object"] for c in changes} == narrow_before
    for obj in narrow_before:
        table, column = obj.split(".")
        assert revision.table(table).column(column).type.split()[0] == "integer"
