"""The schema engine's readers: real dumps and DBML files, the statement splitter, bad input.

Plain pytest, no database: ``apps.architecture.schema`` imports nothing from Django.
Ground truth comes from the fixture READMEs (what the sources assert, and counts taken by hand
from the files), never from the corpus builder's computed hints.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

from apps.architecture.schema import (
    AUTOINCREMENT,
    Schema,
    SchemaError,
    export_dbml,
    parse_dbml,
    parse_ddl,
)
from apps.architecture.schema import ddl as ddl_module
from apps.architecture.schema.bench import generate_ddl
from apps.architecture.schema.coltypes import normalize_type
from apps.architecture.schema.statements import split_statements

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "architecture"
SQL = FIXTURES / "sql-ddl"
DBML = FIXTURES / "dbml"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def by_name(schema: Schema) -> dict:
    return {table.qualified_name: table for table in schema.tables}


# -- every real file parses ------------------------------------------------------------------

SQL_FILES = [
    # (file, dialect, CREATE TABLE statements counted by hand in the file)
    (SQL / "pagila-schema.99d5360.sql", "postgres", 70),
    (SQL / "pagila-schema.85bf46a.sql", "postgres", 71),
    (SQL / "mysql-sakila-schema.ee1a637.sql", "mysql", 16),
    (SQL / "mysql-sakila-schema.b3469a9.sql", "mysql", 16),
    (SQL / "Chinook_PostgreSql.ddl.sql", "postgres", 11),
    (SQL / "Chinook_MySql.ddl.sql", "mysql", 11),
    (DBML / "general_schema.expected.postgres.sql", "postgres", 6),
    (DBML / "many_to_many_relationship.expected.postgres.sql", "postgres", 21),
    (DBML / "multiple_schema.expected.postgres.sql", "postgres", 5),
    (DBML / "importer-general_schema.source.postgres.sql", "postgres", 13),
]

DBML_FILES = [
    (DBML / "general_schema.dbml", 6),
    (DBML / "many_to_many_relationship.dbml", 21),  # 14 tables + 7 junction tables for the <> refs
    (DBML / "multiple_schema.dbml", 5),
    (DBML / "importer-general_schema.expected.dbml", 13),
]


@pytest.mark.parametrize(("path", "dialect", "tables"), SQL_FILES, ids=lambda v: getattr(v, "name", None))
def test_every_sql_file_parses_with_its_tables(path, dialect, tables):
    schema = parse_ddl(read(path), dialect)
    assert len(schema.tables) == tables
    assert all(table.columns for table in schema.tables)


@pytest.mark.parametrize(("path", "tables"), DBML_FILES, ids=lambda v: getattr(v, "name", None))
def test_every_dbml_file_parses_with_its_tables(path, tables):
    assert len(parse_dbml(read(path)).tables) == tables


def test_pagila_tables_keys_and_partitions():
    schema = parse_ddl(read(SQL / "pagila-schema.85bf46a.sql"))
    tables = by_name(schema)
    partitions = [name for name in tables if re.fullmatch(r"payment_p20\d\d_\d\d", name)]
    assert len(partitions) == 55
    assert tables["film_actor"].primary_key == ("actor_id", "film_id")
    assert tables["payment"].primary_key == ("payment_date", "payment_id")
    film = tables["film"]
    assert film.column("film_id").default == AUTOINCREMENT  # DEFAULT nextval('public.film_film_id_seq'::regclass)
    assert film.column("rating").type == "mpaa_rating" and film.column("rating").default == "'G'"
    assert film.column("rental_rate").type == "numeric(4,2)"
    assert film.column("special_features").type == "text[]"
    assert film.column("length_hours").type == "numeric(4,2)"  # PostgreSQL 18 VIRTUAL generated column
    assert film.column("last_update").type == "timestamptz" and not film.column("last_update").nullable
    embedding = tables["film_embedding"]
    assert embedding.column("embedding").type == "vector(20)"
    (fk,) = embedding.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) == (("film_id",), "film", ("film_id",), "cascade")
    assert any(i.unique and i.columns == ("uuid", "payment_date") for i in tables["payment"].indexes)
    # functions, views, triggers, sequences, SET... are counted, not parsed
    assert schema.warnings[0].startswith("skipped ")
    assert "CREATE FUNCTION ×9" in schema.warnings[0] and "CREATE VIEW ×7" in schema.warnings[0]


def test_sakila_mysql_dump_keys_enums_and_delimiter_blocks():
    schema = parse_ddl(read(SQL / "mysql-sakila-schema.ee1a637.sql"), "mysql")
    tables = by_name(schema)
    assert set(tables) == {
        *("actor", "address", "category", "city", "country", "customer", "film", "film_actor", "film_category"),
        *("film_text", "inventory", "language", "payment", "rental", "staff", "store"),
    }
    film = tables["film"]
    assert film.column("film_id").type == "smallint unsigned" and film.column("film_id").default == AUTOINCREMENT
    assert film.column("rating").type == "enum('G','PG','PG-13','R','NC-17')"
    assert film.column("title").type == "varchar(255)"
    store = tables["store"]
    assert any(i.name == "idx_unique_manager" and i.unique for i in store.indexes)
    assert {fk.name for fk in store.foreign_keys} == {"fk_store_staff", "fk_store_address"}
    # the triggers/procedures inside DELIMITER ;; / $$ / // blocks are skipped whole
    assert "CREATE TRIGGER ×3" in schema.warnings[0] and "CREATE PROCEDURE ×3" in schema.warnings[0]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_chinook_is_the_same_model_in_both_dialects():
    pg = parse_ddl(read(SQL / "Chinook_PostgreSql.ddl.sql"), "postgres")
    my = parse_ddl(read(SQL / "Chinook_MySql.ddl.sql"), "mysql")

    def shape(schema: Schema, rename) -> dict:
        return {
            rename(t.name): (
                [rename(c.name) for c in t.columns],
                tuple(rename(c) for c in t.primary_key),
                sorted((tuple(map(rename, f.columns)), rename(f.ref_table)) for f in t.foreign_keys),
            )
            for t in schema.tables
        }

    assert shape(pg, str) == shape(my, _snake)
    assert by_name(pg)["playlist_track"].primary_key == ("playlist_id", "track_id")
    assert "psql meta-command ×1" in pg.warnings[0]  # \c chinook;


@pytest.mark.parametrize("name", ["general_schema", "many_to_many_relationship", "multiple_schema"])
def test_dbml_and_its_golden_postgres_export_describe_the_same_tables(name):
    """@dbml/core's exporter test: export(<name>.dbml, 'postgres') == <name>.expected.postgres.sql."""
    from_dbml = parse_dbml(read(DBML / f"{name}.dbml"))
    from_sql = parse_ddl(read(DBML / f"{name}.expected.postgres.sql"))
    assert by_name(from_dbml) == by_name(from_sql)


def test_many_to_many_becomes_the_junction_tables_dbml_exports():
    schema = parse_dbml(read(DBML / "many_to_many_relationship.dbml"))
    tables = by_name(schema)
    junction = tables["t1_t2(1)"]  # "t1_t2" is taken by a table of the file
    assert [c.name for c in junction.columns] == ["t1_a", "t2_a"] and junction.primary_key == ("t1_a", "t2_a")
    assert {(f.columns, f.ref_table) for f in junction.foreign_keys} == {(("t1_a",), "t1"), (("t2_a",), "t2")}
    assert "D.d_c" in tables  # inline ref on C.c.CD: the referenced table comes first
    assert sum("junction table" in w for w in schema.warnings) == 7


def test_multiple_schema_refs_and_enum_types():
    tables = by_name(parse_dbml(read(DBML / "multiple_schema.dbml")))
    assert set(tables) == {"users", "products", "ecommerce.users", "schemaA.products", "schemaA.locations"}
    assert tables["users"].column("pg").type == "schemaB.gender"
    assert tables["ecommerce.users"].column("ejs2").type == "job_status"  # public.job_status
    named = {f.name: f for f in tables["ecommerce.users"].foreign_keys}
    assert named["name_optional"].ref_table == "users" and named["name_optional"].ref_columns == ("name",)


def test_dbml_reference_directions_settings_and_notes():
    text = """
    Table users {
      id int [pk, increment]
      email varchar(255) [not null, unique, note: 'login name']
      active boolean [default: true]
      score "numeric(5,2)" [default: 1.5]
      created timestamp [default: `now()`]
      Note: 'people'
    }
    Table profile {
      user_id int [ref: - users.id]
      nick varchar [default: 'n/a']
    }
    Table posts {
      id int [pk]
      author int
      editor int
    }
    Table passport {
      owner int
    }
    Ref: posts.author > users.id [delete: cascade]
    Ref: users.id < posts.editor
    Ref: users.id - passport.owner
    """
    tables = by_name(parse_dbml(text))
    users = tables["users"]
    assert users.note == "people" and users.column("email").note == "login name"
    assert [(c.name, c.type, c.nullable, c.default, c.unique) for c in users.columns] == [
        ("id", "integer", False, AUTOINCREMENT, False),
        ("email", "varchar(255)", False, None, True),
        ("active", "boolean", True, "TRUE", False),
        ("score", "numeric(5,2)", True, "1.5", False),
        ("created", "timestamp", True, "CURRENT_TIMESTAMP", False),
    ]
    assert tables["profile"].column("nick").default == "'n/a'"

    def refs(table):
        return {(f.columns, f.ref_table, f.ref_columns, f.on_delete) for f in tables[table].foreign_keys}

    assert refs("posts") == {(("author",), "users", ("id",), "cascade"), (("editor",), "users", ("id",), "")}
    # one-to-one: inline, the column holding the ref; as a Ref, the right end (as @dbml/core exports it)
    assert refs("profile") == {(("user_id",), "users", ("id",), "")}
    assert refs("passport") == {(("owner",), "users", ("id",), "")}
    assert refs("users") == set()


def test_importer_golden_dbml_has_the_tables_and_columns_of_its_sql():
    """importer.import(source.sql) == expected.dbml; the importer drops detail, so compare names."""
    dbml = parse_dbml(read(DBML / "importer-general_schema.expected.dbml"))
    sql = parse_ddl(read(DBML / "importer-general_schema.source.postgres.sql"))

    def names(schema):
        return {t.qualified_name: [c.name for c in t.columns] for t in schema.tables}

    assert names(dbml) == names(sql)
    foo = by_name(sql)["foo"]
    assert foo.column("bar3").type == "integer[][]"  # int[2][3]
    assert foo.column("bar5").type == "integer[]"  # int ARRAY [2]
    assert foo.column("bar14").type == "varchar(25)[][][]"


# -- round trips ---------------------------------------------------------------------------------

ROUND_TRIP = [(p, "dbml") for p, _ in DBML_FILES] + [(p, d) for p, d, _ in SQL_FILES]


@pytest.mark.parametrize(("path", "kind"), ROUND_TRIP, ids=lambda v: getattr(v, "name", v))
def test_export_dbml_reads_back_equal(path, kind):
    schema = parse_dbml(read(path)) if kind == "dbml" else parse_ddl(read(path), kind)
    assert parse_dbml(export_dbml(schema)) == schema


@pytest.mark.parametrize(("path", "dialect", "_"), SQL_FILES[:4], ids=lambda v: getattr(v, "name", None))
def test_to_dict_is_json_and_reloads_equal(path, dialect, _):
    schema = parse_ddl(read(path), dialect)
    stored = json.loads(json.dumps(schema.to_dict()))
    reloaded = Schema.from_dict(stored)
    assert reloaded == schema and reloaded.warnings == schema.warnings


@pytest.mark.parametrize("bad", [None, [], {"version": 99}, {"version": 1, "tables": [{"name": 3}]}])
def test_from_dict_refuses_what_it_did_not_write(bad):
    with pytest.raises(SchemaError):
        Schema.from_dict(bad)


def test_export_writes_what_dbml_cannot_parse_back_literally():
    schema = parse_ddl("CREATE TABLE t (id int PRIMARY KEY, n numeric(6,3) DEFAULT 1.500, d int DEFAULT -1);")
    text = export_dbml(schema)
    assert "default: `1.500`" in text and "default: `-1`" in text
    assert parse_dbml(text) == schema


# -- both CREATE TABLE paths agree --------------------------------------------------------------


@pytest.mark.parametrize(("path", "dialect", "_"), SQL_FILES, ids=lambda v: getattr(v, "name", None))
def test_batched_and_statement_by_statement_parses_agree(path, dialect, _, monkeypatch):
    text = read(path)
    batched = parse_ddl(text, dialect)
    monkeypatch.setattr(ddl_module, "_BATCH", False)
    one_by_one = parse_ddl(text, dialect)
    assert batched == one_by_one and batched.warnings == one_by_one.warnings
    assert [t.note for t in batched.tables] == [t.note for t in one_by_one.tables]


# -- types -------------------------------------------------------------------------------------

TYPES = [
    ("character varying(255)", "varchar(255)"),
    ("VARCHAR(255)", "varchar(255)"),
    ("nvarchar(160)", "varchar(160)"),
    ("int", "integer"),
    ("INT4", "integer"),
    ("int(11) unsigned", "integer unsigned"),
    ("SMALLINT UNSIGNED", "smallint unsigned"),
    ("int8", "bigint"),
    ("serial", "integer"),
    ("bool", "boolean"),
    ("DECIMAL(5, 2)", "numeric(5,2)"),
    ("numeric(10)", "numeric(10,0)"),
    ("float8", "double precision"),
    ("float(10)", "real"),
    ("character(20)", "char(20)"),
    ("timestamp without time zone", "timestamp"),
    ("timestamp(2) with time zone", "timestamptz(2)"),
    ("time with time zone", "timetz"),
    ("int ARRAY[3]", "integer[]"),
    ("character varying(25) [][2][]", "varchar(25)[][][]"),
    ("public.mpaa_rating", "mpaa_rating"),
    ('"product status"', "product status"),
    ("schemaB.gender", "schemaB.gender"),  # a user type keeps its case
    ("ENUM('G','PG-13')", "enum('G','PG-13')"),
]


@pytest.mark.parametrize(("raw", "canonical"), TYPES)
def test_type_names_are_normalised(raw, canonical):
    assert normalize_type(raw) == canonical
    assert normalize_type(canonical) == canonical  # idempotent


def test_the_three_spellings_of_varchar_compare_equal():
    pg = parse_ddl("CREATE TABLE t (a character varying(255));")
    my = parse_ddl("CREATE TABLE t (a VARCHAR(255));", "mysql")
    dbml = parse_dbml("Table t {\n  a varchar(255)\n}")
    assert {s.tables[0].columns[0].type for s in (pg, my, dbml)} == {"varchar(255)"}


# -- the statement splitter --------------------------------------------------------------------

SPLITS = [
    ("postgres", "SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
    ("postgres", "SELECT 'a;b'; SELECT \"x;y\";", ["SELECT 'a;b'", 'SELECT "x;y"']),
    ("postgres", "SELECT 'it''s;';", ["SELECT 'it''s;'"]),
    ("postgres", "SELECT E'it\\'s;';", ["SELECT E'it\\'s;'"]),
    ("postgres", "CREATE FUNCTION f() AS $$ a; b; $$; X;", ["CREATE FUNCTION f() AS $$ a; b; $$", "X"]),
    ("postgres", "AS $_$ SELECT $1; $_$; X;", ["AS $_$ SELECT $1; $_$", "X"]),
    ("postgres", "AS $body$ $$; $body$; X;", ["AS $body$ $$; $body$", "X"]),
    ("postgres", "-- a; b\nX; /* c; /* d; */ e; */ Y;", ["X", "Y"]),
    ("postgres", "\\c db\nX;", ["\\c db", "X"]),
    ("postgres", "COPY t (a) FROM stdin;\n1;2\n'\n\\.\nX;", ["COPY t (a) FROM stdin", "X"]),
    ("postgres", "COPY t FROM STDIN;\n\\.\nX;", ["COPY t FROM STDIN", "X"]),
    ("mysql", "SELECT 'a\\';b'; X;", ["SELECT 'a\\';b'", "X"]),
    ("mysql", "SELECT `a;b`; # c;\nX;", ["SELECT `a;b`", "X"]),
    ("mysql", "/*!40101 SET NAMES utf8 */;\nX;", ["X"]),
    ("mysql", "DELIMITER ;;\nCREATE TRIGGER t BEGIN A; B; END;;\nDELIMITER ;\nX;",
     ["CREATE TRIGGER t BEGIN A; B; END", "X"]),
    ("mysql", "DELIMITER //\nP; Q//\nDELIMITER ;\nX;", ["P; Q", "X"]),
    ("postgres", "X", ["X"]),
    ("postgres", "SELECT 'never closed; X;", ["SELECT 'never closed; X;"]),
]


@pytest.mark.parametrize(("dialect", "text", "expected"), SPLITS)
def test_statements_split_where_sql_ends_them(dialect, text, expected):
    assert [s.text for s in split_statements(text, dialect)] == expected


def test_statement_lines_are_where_each_statement_starts():
    text = "-- header\n\nSET a = 1;\n\n/* c */ CREATE TABLE t (\n  id int\n);\r\nX;"
    assert [(s.text.split()[0], s.line) for s in split_statements(text)] == [("SET", 3), ("CREATE", 5), ("X", 8)]


# -- bad input and hostile input -----------------------------------------------------------------


def test_a_create_table_syntax_error_names_its_line():
    text = "-- c\nSET x = 1;\n\nCREATE TABLE ok (id int);\n\nCREATE TABLE bad (\n  id int,\n  name varchar(,\n);\n"
    with pytest.raises(SchemaError) as error:
        parse_ddl(text)
    assert error.value.line == 6
    assert "CREATE TABLE could not be parsed" in str(error.value) and str(error.value).startswith("line 6:")


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("CREATE TABLE c (id int) DEFAULT ENGINE=InnoDB;", "mysql"),  # sqlglot 30 raises TypeError inside
        ("CREATE TABLE t (" + "(" * 5000 + ");", "postgres"),  # RecursionError inside sqlglot
        ("CREATE TABLE t (a int, b INOUT int);", "postgres"),
        ("CREATE TABLE t (a int", "postgres"),
    ],
)
def test_whatever_sqlglot_raises_becomes_a_schema_error(text, dialect):
    with pytest.raises(SchemaError) as error:
        parse_ddl(text, dialect)
    assert error.value.line == 1


def test_mutated_dumps_raise_nothing_but_schema_error():
    """A small deterministic fuzz: cut and mutate real files; any other exception is a bug."""
    rng = random.Random(20261124)
    sources = [
        (read(SQL / "mysql-sakila-schema.ee1a637.sql"), "mysql"),
        (read(SQL / "pagila-schema.85bf46a.sql"), "postgres"),
    ]
    tokens = ["'", '"', "`", "$$", "(", ")", ",", ";", "--", "/*", "\\.\n", "CREATE TABLE ", " KEY k (a)", " <> "]
    for _ in range(60):
        text, dialect = rng.choice(sources)
        start = rng.randrange(len(text))
        text = text[start : start + rng.randint(300, 2500)]
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(tokens) + text[i + rng.randint(0, 10) :]
        try:
            schema = parse_ddl(text, dialect)
        except SchemaError:
            continue
        export_dbml(schema)
        Schema.from_dict(json.loads(json.dumps(schema.to_dict())))


def test_dangerous_statements_are_skipped_with_a_warning_and_never_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the schema engine must not run anything")

    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    text = "DROP DATABASE x; COPY t FROM PROGRAM 'rm -rf /';\nCREATE TABLE t (id int PRIMARY KEY);\n"
    text += "GRANT ALL ON t TO u;"
    schema = parse_ddl(text)
    assert [t.name for t in schema.tables] == ["t"]
    assert schema.warnings[0] == "skipped 3 statements that do not define tables (COPY ×1, DROP DATABASE ×1, GRANT ×1)"


@pytest.mark.parametrize(
    "text",
    ["", "   \n-- nothing\n", "SELECT 1;", "CREATE VIEW v AS SELECT 1;", "INSERT INTO t VALUES (1);"],
)
def test_input_without_a_table_is_refused(text):
    with pytest.raises(SchemaError, match="no CREATE TABLE found"):
        parse_ddl(text)


def test_unknown_dialect_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_ddl("CREATE TABLE t (id int);", "oracle")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Table a {\n  id int\n  name varchar [pk\n}", 4),
        ("Tabel x {}", 1),
        ("Table a {\n  id int\n}\nRef: a.id > b.id", None),  # b is not a table
        ("Table a {\n  id int\n}\nTable a {\n  x int\n}", None),
        ("", None),
        ("// only a comment\n", None),
    ],
)
def test_bad_dbml_is_a_schema_error_with_pydbml_line(text, line):
    with pytest.raises(SchemaError) as error:
        parse_dbml(text)
    assert error.value.line == line


def test_migration_statements_are_applied_in_order():
    text = """
        CREATE TABLE a (id serial PRIMARY KEY, name varchar(10));
        CREATE TABLE b (id int);
        ALTER TABLE a ADD COLUMN email text NOT NULL DEFAULT '';
        ALTER TABLE a ALTER COLUMN name TYPE varchar(50), ALTER COLUMN name SET NOT NULL;
        ALTER TABLE a RENAME COLUMN email TO mail;
        ALTER TABLE b ADD CONSTRAINT b_a FOREIGN KEY (id) REFERENCES a(id) ON DELETE CASCADE;
        ALTER TABLE b RENAME TO bb;
        CREATE UNIQUE INDEX a_mail ON a (lower(mail));
        CREATE TABLE c (x int);
        DROP TABLE c;
        COMMENT ON COLUMN a.mail IS 'where to write';
    """
    tables = by_name(parse_ddl(text))
    assert set(tables) == {"a", "bb"}
    a = tables["a"]
    assert [(c.name, c.type, c.nullable, c.default) for c in a.columns] == [
        ("id", "integer", False, AUTOINCREMENT),
        ("name", "varchar(50)", False, None),
        ("mail", "text", False, "''"),
    ]
    assert a.column("mail").note == "where to write"
    assert a.indexes[0].columns == ("lower(mail)",) and a.indexes[0].unique
    assert tables["bb"].foreign_keys[0].on_delete == "cascade"


def test_mysql_modify_and_change_column_keep_the_column_in_place():
    text = """
        CREATE TABLE a (id int AUTO_INCREMENT PRIMARY KEY, name varchar(10), x int, KEY idx_x (x));
        ALTER TABLE a MODIFY COLUMN name varchar(5) NOT NULL;
        ALTER TABLE a CHANGE COLUMN x y bigint, ADD COLUMN z int;
        ALTER TABLE a DROP INDEX idx_x, ADD INDEX idx_name (name);
    """
    (a,) = parse_ddl(text, "mysql").tables
    assert [(c.name, c.type, c.nullable) for c in a.columns] == [
        ("id", "integer", False),
        ("name", "varchar(5)", False),
        ("y", "bigint", True),
        ("z", "integer", True),
    ]
    assert [(i.name, i.columns) for i in a.indexes] == [("idx_name", ("name",))]


def test_statements_sharing_a_line_stay_apart():
    schema = parse_ddl("CREATE TABLE a (id int); CREATE TABLE b (x text); CREATE TABLE c (y date);")
    assert [(t.name, [c.name for c in t.columns]) for t in schema.tables] == [("a", ["id"]), ("b", ["x"]), ("c", ["y"])]


def test_partition_of_takes_its_parents_columns():
    text = "CREATE TABLE p (id int NOT NULL, d date) PARTITION BY RANGE (d);\n" + (
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');"
    )
    tables = by_name(parse_ddl(text))
    assert [c.name for c in tables["p1"].columns] == ["id", "d"]


def test_a_five_megabyte_dump_is_read_in_one_pass():
    """Linear scanning: 5 MB of COPY data, function bodies and INSERTs around a few tables."""
    chunks = [generate_ddl(20)]
    chunks.append("COPY public.big (id, body) FROM stdin;\n")
    chunks.append("".join(f"{i}\tline; with 'quotes' and $$ and -- dashes\n" for i in range(50_000)))
    chunks.append("\\.\n\n")
    body = "BEGIN\n" + "  PERFORM 1; -- ; ' \" \n" * 30_000 + "END"
    chunks.append(f"CREATE FUNCTION public.big() RETURNS void LANGUAGE plpgsql AS $fn$\n{body}\n$fn$;\n\n")
    chunks.append("".join(f"INSERT INTO public.big VALUES ({i}, 'x;y');\n" for i in range(50_000)))
    text = "".join(chunks)
    assert len(text) > 5_000_000
    schema = parse_ddl(text)
    assert len(schema.tables) == 20
    assert "INSERT ×50000" in schema.warnings[0] and "COPY ×1" in schema.warnings[0]
