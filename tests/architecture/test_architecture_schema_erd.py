"""erd_mermaid: the diagram's shape, the table filter, and that no input can inject Mermaid syntax.

Every output line must match one of the few statement shapes erd.py writes (checked here with
strict regular expressions); during development the same outputs, including 300 random hostile
schemas, were also run through mermaid.parse() of the vendored Mermaid 11.17.2.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apps.architecture.schema import Column, ForeignKey, Index, Schema, Table, erd_mermaid, parse_ddl
from apps.architecture.schema.erd import safe_comment, safe_name

SQL = Path(__file__).resolve().parent.parent / "fixtures" / "architecture" / "sql-ddl"

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
LINE_SHAPES = [
    re.compile(r"erDiagram"),
    re.compile(rf" {{4}}{_NAME}"),  # an entity without columns
    re.compile(rf" {{4}}{_NAME} \{{"),
    re.compile(rf" {{8}}{_NAME} {_NAME}(?: (?:PK|FK|UK)(?:, (?:PK|FK|UK))*)?(?: \"[A-Za-z0-9 _.,;()/+=*-]*\")?"),
    re.compile(r" {4}\}"),
    re.compile(rf" {{4}}{_NAME} (?:\|\||\|o)(?:--|\.\.)(?:o\{{|o\|) {_NAME} : \"{_NAME}\""),
]


def assert_well_formed(source: str) -> None:
    lines = source.splitlines()
    assert lines[0] == "erDiagram"
    for line in lines:
        assert any(shape.fullmatch(line) for shape in LINE_SHAPES), line


SHOP = """
CREATE TABLE customer (id bigint PRIMARY KEY, email character varying(255) NOT NULL UNIQUE, note text);
COMMENT ON COLUMN customer.email IS 'where receipts go';
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customer (id),
    coupon_id bigint,
    total numeric(10,2)
);
CREATE TABLE coupon (id bigint PRIMARY KEY, code char(8));
ALTER TABLE orders ADD CONSTRAINT orders_coupon FOREIGN KEY (coupon_id) REFERENCES coupon (id);
CREATE TABLE invoice (order_id bigint PRIMARY KEY REFERENCES orders (id), pdf bytea);
"""


def test_entities_keys_and_relationships():
    source, shown, truncated = erd_mermaid(parse_ddl(SHOP))
    assert (shown, truncated) == (4, False)
    assert_well_formed(source)
    assert "        varchar_255 email UK \"where receipts go\"" in source
    assert "        bigint customer_id FK" in source
    assert "        numeric_10_2 total" in source
    # required FK: exactly one customer; optional FK: zero or one coupon; many orders each
    assert '    customer ||..o{ orders : "orders_customer_id_fkey"' in source
    assert '    coupon |o..o{ orders : "orders_coupon"' in source
    # invoice.order_id is the primary key and the FK: identifying, at most one invoice per order
    assert '    orders ||--o| invoice : "invoice_order_id_fkey"' in source


def test_table_filter_draws_only_those_tables_and_the_keys_between_them():
    source, shown, truncated = erd_mermaid(parse_ddl(SHOP), tables={"orders", "coupon", "no_such_table"})
    assert (shown, truncated) == (2, False)
    assert_well_formed(source)
    assert "customer {" not in source and "invoice" not in source
    assert '    coupon |o..o{ orders : "orders_coupon"' in source
    assert "orders_customer_id_fkey" not in source  # its other end is not drawn


def test_max_tables_truncates_and_says_so():
    schema = parse_ddl((SQL / "pagila-schema.85bf46a.sql").read_text(encoding="utf-8"))
    source, shown, truncated = erd_mermaid(schema, max_tables=10)
    assert (shown, truncated) == (10, True)
    assert source.count(" {\n") == 10
    assert_well_formed(source)
    full, shown, truncated = erd_mermaid(schema)
    assert (shown, truncated) == (71, False)
    assert_well_formed(full)


def test_types_become_single_tokens():
    assert safe_name("character varying(255)") == "character_varying_255"
    assert safe_name("varchar(255)") == "varchar_255"
    assert safe_name("numeric(5,2)") == "numeric_5_2"
    assert safe_name("text[]") == "text_array"
    assert safe_name("enum('G','PG-13')") == "enum_G_PG_13"
    assert safe_name("integer unsigned") == "integer_unsigned"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("end", "end_"),
        ("Style", "Style_"),
        ("one", "one_"),
        ("PK", "PK_"),
        ("1st", "x_1st"),
        ("", "x"),
        ("___", "x"),
        ("日本", "x"),
        ("a" * 200, "a" * 60),
    ],
)
def test_names_avoid_keywords_and_start_with_a_letter(text, expected):
    assert safe_name(text) == expected


HOSTILE = [
    "click orders call alert(1)",
    'x"\nclick x href "javascript:alert(1)"',
    "%%{init: {'securityLevel': 'loose'}}%%",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
    'a"b',
    "it's",
    "line1\nline2\r\nline3",
    "} erDiagram {",
    "x ||--o{ y : owns",
    "style x fill:#f00",
    "classDef evil fill:#f00",
    "direction TB",
    "accTitle: hijacked",
    "&lt;b&gt;",
    "\u202egnp.exe",
    "\\u003cscript",
]


def hostile_schema() -> Schema:
    tables = []
    for i, text in enumerate(HOSTILE):
        column = Column(name=text, type=text, nullable=bool(i % 2), note=text, unique=True)
        other = Column(name=f"{text}_ref", type="integer")
        tables.append(
            Table(
                name=text,
                schema=text if i % 3 == 0 else "",
                columns=(column, other),
                indexes=(Index(text, (column.name,), True),),
                foreign_keys=(ForeignKey(text, (other.name,), "<script>alert(1)</script>", (column.name,)),),
            )
        )
    return Schema(tables=tuple(tables))


def test_hostile_names_types_and_notes_cannot_inject_anything():
    source, shown, _ = erd_mermaid(hostile_schema())
    assert shown == len(HOSTILE)
    assert_well_formed(source)
    for dangerous in ("%", "<", ">", "&", "javascript:", "\r", "\\", "\u202e", "{init"):
        assert dangerous not in source, dangerous
    # words like "click" or "href" may survive inside a name (x_click_x_href...), never as a statement
    statements = [line.split()[0] for line in source.splitlines()]
    assert not {"click", "style", "classDef", "direction", "accTitle", "accDescr", "class"} & set(statements)
    assert source.count('"') % 2 == 0
    # every relationship line points at drawn entities
    entities = set(re.findall(rf"^ {{4}}({_NAME}) \{{$", source, re.MULTILINE))
    for parent, child in re.findall(rf"^ {{4}}({_NAME}) \S+ ({_NAME}) : ", source, re.MULTILINE):
        assert {parent, child} <= entities


def test_comments_keep_only_plain_text():
    assert safe_comment('say "hi" <b>now</b>\nclick: 100%') == "say hi b now /b click 100"
    assert safe_comment("javascript:alert(1)") == "javascript alert(1)"


def test_clashing_names_get_numbered():
    schema = Schema(
        tables=(
            Table(name="a b", columns=(Column("x y", "int"), Column("x-y", "int"))),
            Table(name="a-b", columns=(Column("id", "int"),)),
        )
    )
    source, _, _ = erd_mermaid(schema)
    assert "    a_b {" in source and "    a_b_2 {" in source
    assert "        int x_y\n" in source and "        int x_y_2\n" in source
    assert_well_formed(source)
