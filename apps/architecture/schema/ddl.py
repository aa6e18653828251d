"""Read SQL DDL (pg_dump, mysqldump, hand-written migrations) into a ``Schema``. Parse only.

Pipeline: ``statements.split_statements`` cuts the text into statements in one linear pass;
each statement is classified by its first words; only the ones that define tables go further:

- ``CREATE TABLE`` -> sqlglot: first all plain ones together, each distinct column definition
  parsed once (``ddl_batch``; dumps repeat themselves a lot), then the rest one by one. A
  statement sqlglot cannot read raises ``SchemaError`` with the statement's line, after one retry
  with rewrites for valid syntax sqlglot 30 lacks (see ``_COMPAT``);
- ``ALTER TABLE`` / ``CREATE INDEX`` -> ``ddl_fast`` for pg_dump's fixed shapes, sqlglot for the
  rest (a statement neither understands is ignored with a warning: it does not stop the read);
- ``COMMENT ON TABLE/COLUMN`` (notes) and ``DROP TABLE`` (migrations) -> ``ddl_fast``.

Everything else -- SET, functions, views, triggers, sequences, COPY (any form; ``FROM stdin``
data is skipped by the splitter), INSERT, GRANT, DROP DATABASE, psql meta-commands -- is
counted by kind in ``Schema.warnings``. Nothing is ever executed: the text is only read.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from .builder import SchemaDraft
from .ddl_ast import Reader, expression_default
from .ddl_batch import CreateParts, parse_elements, split_create
from .ddl_fast import FastReader
from .errors import SchemaError
from .model import Schema
from .statements import Statement, split_statements

DIALECTS = ("postgres", "mysql")

#: Parse plain CREATE TABLE bodies together (``ddl_batch``); off only to compare both paths in tests.
_BATCH = True

_CREATE_TABLE = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(TEMP|TEMPORARY)\s+|UNLOGGED\s+)?TABLE\b", re.IGNORECASE
)
_CREATE_INDEX = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.IGNORECASE)
_CREATE_OTHER_INDEX = re.compile(r"CREATE\s+(?:FULLTEXT|SPATIAL)\s+(?=INDEX\b)", re.IGNORECASE)
_ALTER_TABLE = re.compile(r"ALTER\s+TABLE\b", re.IGNORECASE)
_STRUCTURAL_ALTER = re.compile(r"\b(ADD|DROP|ALTER|MODIFY|CHANGE|RENAME)\b", re.IGNORECASE)
_COMMENT_ON = re.compile(r"COMMENT\s+ON\s+(?:TABLE|COLUMN)\b", re.IGNORECASE)
_DROP_TABLE = re.compile(r"DROP\s+TABLE\b", re.IGNORECASE)

#: Rewrites tried once when sqlglot rejects a CREATE TABLE, for valid syntax it does not know.
_COMPAT: tuple[tuple[re.Pattern[str], str], ...] = (
    # PostgreSQL 18 virtual generated columns; STORED reads the same for our purpose
    (re.compile(r"\)\s*VIRTUAL\b", re.IGNORECASE), ") STORED"),
    # "int ARRAY[2]" / "text ARRAY [8]": an array type; sqlglot only knows "int[]"
    (re.compile(r"\s+ARRAY\s*\[\s*\d*\s*\]", re.IGNORECASE), "[]"),
    (
        re.compile(
            r"\s+ARRAY\b(?=\s*(?:[,)]|(?:NOT|NULL|DEFAULT|PRIMARY|UNIQUE|REFERENCES|CHECK|COLLATE|CONSTRAINT)\b))",
            re.IGNORECASE,
        ),
        "[]",
    ),
    (re.compile(r"\bbit\s+varying\b", re.IGNORECASE), "varbit"),
)

_OBJECT_WORDS = {
    "TABLE": "TABLE",
    "VIEW": "VIEW",
    "MATERIALIZED": "MATERIALIZED VIEW",
    "FUNCTION": "FUNCTION",
    "PROCEDURE": "PROCEDURE",
    "TRIGGER": "TRIGGER",
    "SEQUENCE": "SEQUENCE",
    "INDEX": "INDEX",
    "TYPE": "TYPE",
    "DOMAIN": "DOMAIN",
    "SCHEMA": "SCHEMA",
    "DATABASE": "DATABASE",
    "EXTENSION": "EXTENSION",
    "AGGREGATE": "AGGREGATE",
    "EVENT": "EVENT",
    "ROLE": "ROLE",
    "USER": "USER",
    "POLICY": "POLICY",
    "RULE": "RULE",
    "OPERATOR": "OPERATOR",
    "COLLATION": "COLLATION",
    "SERVER": "SERVER",
    "PUBLICATION": "PUBLICATION",
    "SUBSCRIPTION": "SUBSCRIPTION",
    "TABLESPACE": "TABLESPACE",
    "CAST": "CAST",
    "LANGUAGE": "LANGUAGE",
    "STATISTICS": "STATISTICS",
}


def parse_ddl(text: str, dialect: str = "postgres") -> Schema:
    """Read the tables defined by ``text`` (``dialect``: ``"postgres"`` or ``"mysql"``).

    Raises ``SchemaError`` for a CREATE TABLE that cannot be parsed (``.line`` = its first
    line) and for input that defines no table at all.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
    draft = SchemaDraft()
    reader = Reader(draft, dialect)
    fast = FastReader(draft, dialect)
    statements = list(split_statements(text, dialect))
    batch = _batch_parse(statements, dialect)
    saw_create_table = False
    for number, statement in enumerate(statements):
        if statement.meta:
            draft.skipped["psql meta-command"] += 1
            continue
        head = statement.text[:120]
        create = _CREATE_TABLE.match(head)
        if create:
            saw_create_table = True
            if create.group(1):
                draft.skipped["CREATE TEMPORARY TABLE"] += 1
            elif number in batch:
                _create_from_parts(reader, fast, statement, *batch[number])
            else:
                _create_table(reader, statement, dialect)
        elif _ALTER_TABLE.match(head):
            _alter_table(reader, fast, statement, dialect)
        elif _CREATE_INDEX.match(head) or _CREATE_OTHER_INDEX.match(head):
            _create_index(reader, fast, statement, dialect)
        elif _COMMENT_ON.match(head):
            if not fast.comment(statement.text, statement.line):
                draft.warnings.append(f"line {statement.line}: COMMENT ON not understood; ignored")
        elif _DROP_TABLE.match(head):
            fast.drop_table(statement.text)
        else:
            draft.skipped[_label(statement.text)] += 1
    if not draft.tables:
        raise SchemaError("no CREATE TABLE found" if not saw_create_table else "no table is left at the end of the DDL")
    return draft.build()


def _batch_parse(statements: list[Statement], dialect: str) -> dict[int, tuple[CreateParts, list[exp.Expression]]]:
    """Statement index -> (pieces, element trees) for the plain CREATE TABLEs ``ddl_batch`` could read.

    A statement missing here (not plain, or an element sqlglot rejected) takes the slow path.
    """
    if not _BATCH:
        return {}
    plain: dict[int, CreateParts] = {}
    for number, statement in enumerate(statements):
        match = None if statement.meta else _CREATE_TABLE.match(statement.text[:120])
        if match and not match.group(1):
            parts = split_create(statement.text)
            if parts is not None:
                plain[number] = parts
    distinct = list(dict.fromkeys(e for parts in plain.values() for e in parts.elements))
    trees = parse_elements(distinct, dialect)
    return {
        number: (parts, [trees[e] for e in parts.elements])
        for number, parts in plain.items()
        if all(e in trees for e in parts.elements)
    }


def _create_from_parts(
    reader: Reader, fast: FastReader, statement: Statement, parts: CreateParts, elements: list[exp.Expression]
) -> None:
    draft = reader.new_table(*fast.table_key(parts.name), parts.if_not_exists, statement.line)
    if draft is not None:
        draft.note = parts.note
        with _unreadable("CREATE TABLE", statement):
            for element in elements:
                reader.table_element(draft, element)


def _create_table(reader: Reader, statement: Statement, dialect: str) -> None:
    tree = _parse(statement.text, dialect)
    if not _is_create_table(tree):
        rewritten = _rewrite(statement.text)
        retry = _parse(rewritten, dialect) if rewritten != statement.text else None
        if _is_create_table(retry):
            tree = retry
    if not _is_create_table(tree):
        detail = _describe(tree, statement) if isinstance(tree, Exception) else "not a CREATE TABLE"
        raise SchemaError(f"CREATE TABLE could not be parsed: {detail}", line=statement.line)
    with _unreadable("CREATE TABLE", statement):
        reader.create_table(tree, statement.line)


def _is_create_table(tree: object) -> bool:
    return (
        isinstance(tree, exp.Create)
        and str(tree.args.get("kind") or "").upper() == "TABLE"
        and isinstance(tree.this, exp.Schema | exp.Table)
    )


def _alter_table(reader: Reader, fast: FastReader, statement: Statement, dialect: str) -> None:
    if fast.alter(statement.text, statement.line):
        return
    set_default = fast.set_default(statement.text, statement.line)
    if set_default is not None:
        draft, column_name, expression = set_default
        column = draft.columns.get(column_name)
        if column is not None:
            column.default = expression_default(expression, dialect)
        return
    if not _STRUCTURAL_ALTER.search(statement.text):
        reader.draft.skipped["ALTER TABLE (other)"] += 1
        return
    tree = _parse(statement.text, dialect)
    if isinstance(tree, exp.Alter):
        with _unreadable("ALTER TABLE", statement, fatal=False, draft=reader.draft):
            reader.alter_table(tree, statement.line)
    else:
        reader.draft.warnings.append(f"line {statement.line}: ALTER TABLE not understood; ignored")


def _create_index(reader: Reader, fast: FastReader, statement: Statement, dialect: str) -> None:
    text = _CREATE_OTHER_INDEX.sub("CREATE ", statement.text, count=1)  # FULLTEXT/SPATIAL: still an index
    if fast.create_index(text, statement.line):
        return
    tree = _parse(text, dialect)
    if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Index):
        with _unreadable("CREATE INDEX", statement, fatal=False, draft=reader.draft):
            reader.create_index(tree, statement.line)
    else:
        reader.draft.warnings.append(f"line {statement.line}: CREATE INDEX not understood; ignored")


def _parse(text: str, dialect: str) -> exp.Expression | Exception | None:
    """sqlglot's tree, or the error it raised (callers decide whether that is fatal).

    Not only ParseError/TokenError: on some malformed input sqlglot 30 fails inside itself
    (TypeError, IndexError), and deep nesting can hit RecursionError. All mean "cannot parse".
    """
    try:
        return sqlglot.parse_one(text, read=dialect)
    except Exception as error:  # see the docstring: any failure means "cannot parse"
        return error


@contextmanager
def _unreadable(kind: str, statement: Statement, fatal: bool = True, draft: SchemaDraft | None = None):
    """A tree of a shape the reader does not expect: an error for CREATE TABLE, else a warning."""
    try:
        yield
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
        if fatal:
            raise SchemaError(f"{kind} could not be read ({error})", line=statement.line) from error
        if draft is not None:
            draft.warnings.append(f"line {statement.line}: {kind} not understood; ignored")


def _rewrite(text: str) -> str:
    for pattern, replacement in _COMPAT:
        text = pattern.sub(replacement, text)
    return text


def _describe(error: Exception, statement: Statement) -> str:
    details = getattr(error, "errors", None) or []
    if details:
        first = details[0]
        where = ""
        if first.get("line"):
            where = f" (line {statement.line + int(first['line']) - 1}, column {first.get('col')})"
        return f"{first.get('description') or 'syntax error'}{where}"
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if isinstance(error, ParseError | TokenError):
        return str(error).splitlines()[0][:200]
    return f"the SQL parser gave up ({type(error).__name__})"  # a failure inside sqlglot itself


def _label(text: str) -> str:
    """What kind of statement this is, for the skipped-statements warning (``CREATE FUNCTION``)."""
    words = [re.sub(r"[^A-Za-z_]", "", w).upper() for w in text.split(None, 8)[:8]]
    first = words[0] if words and words[0] else "other"
    if first in ("CREATE", "ALTER", "DROP", "COMMENT"):
        for word in words[1:]:
            if word in _OBJECT_WORDS:
                return f"{first} {_OBJECT_WORDS[word]}"
    return first[:30]
