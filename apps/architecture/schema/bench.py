"""Synthetic dumps for benchmarking the engine: ``generate_ddl`` and ``measure``.

``generate_ddl(300)`` writes what ``pg_dump --schema-only`` (or mysqldump) prints for a
300-table database: session SETs, a trigger function, per table a CREATE TABLE with 8-15
columns, its sequence, owner and default statements, then primary keys, unique constraints,
indexes, triggers and foreign keys to earlier tables, in pg_dump's order. ``variant=1`` is the
same database after a migration that drops a column, narrows a type, widens one, adds an
index and adds a table -- so ``diff_schemas`` has something to find.

``measure()`` times parse x2 + diff, the figure the Django benchmark tracks (target <= 1 s for
300 tables).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

_WORDS = [
    *("account", "address", "order", "invoice", "payment", "product", "customer", "supplier", "shipment"),
    *("warehouse", "stock", "item", "price", "category", "tag", "review", "rating", "coupon", "cart", "session"),
    *("device", "region", "country", "city", "store", "employee", "team", "project", "task", "comment"),
    *("attachment", "message", "channel", "event", "ticket", "refund", "return", "batch", "ledger", "budget"),
    *("contract", "asset"),
]


@dataclass
class _Column:
    name: str
    pg: str
    mysql: str
    not_null: bool = False
    default_pg: str | None = None
    default_mysql: str | None = None


@dataclass
class _Table:
    name: str
    columns: list[_Column] = field(default_factory=list)
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)  # (column, referenced table)
    unique: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)


def _pool(rng: random.Random) -> list[_Column]:
    length = rng.choice((40, 80, 120, 255))
    return [
        _Column("name", f"character varying({length})", f"varchar({length})", True),
        _Column("description", "text", "text"),
        _Column("code", "character(8)", "char(8)", True),
        _Column("amount", "numeric(12,2)", "decimal(12,2)", True, "0", "0"),
        _Column("quantity", "integer", "int", True, "1", "1"),
        _Column("ratio", "double precision", "double"),
        _Column("active", "boolean", "tinyint(1)", True, "true", "1"),
        _Column("birth_date", "date", "date"),
        _Column("payload", "jsonb", "json"),
        _Column("tags", "text[]", "text"),
        _Column("status", "public.status", "enum('new','active','closed')", True, "'new'::public.status", "'new'"),
        _Column("external_ref", "uuid", "char(36)"),
        _Column("created_at", "timestamp with time zone", "datetime", True, "now()", "CURRENT_TIMESTAMP"),
        _Column("updated_at", "timestamp with time zone", "datetime"),
    ]


def _tables(count: int, seed: int) -> list[_Table]:
    rng = random.Random(seed)
    tables: list[_Table] = []
    for i in range(count):
        table = _Table(f"{rng.choice(_WORDS)}_{i:04d}")
        table.columns.append(_Column("id", "bigint", "bigint", True))
        for _ in range(rng.randint(0, min(3, i))):
            target = tables[rng.randrange(i)]
            column = f"{target.name}_id"
            if all(c.name != column for c in table.columns):
                table.columns.append(_Column(column, "bigint", "bigint", rng.random() < 0.7))
                table.foreign_keys.append((column, target.name))
        pool = _pool(rng)
        wanted = max(rng.randint(8, 15) - len(table.columns), 0)
        common = rng.sample(pool, min(wanted // 2 + 1, wanted, len(pool)))
        table.columns += common
        # about half the columns are the table's own (real schemas repeat id/name/created_at, not the rest)
        taken = {c.name for c in table.columns}
        target = len(table.columns) + wanted - len(common)
        while len(table.columns) < target:
            template = rng.choice(pool)
            name = f"{rng.choice(_WORDS)}_{template.name}"
            if name not in taken:
                taken.add(name)
                table.columns.append(_Column(name, template.pg, template.mysql, template.not_null, None, None))
        names = [c.name for c in table.columns]
        if "code" in names:
            table.unique.append("code")
        table.indexes += [c for c in names[1:] if c.endswith("_id") or c in ("name", "created_at")][:3]
        tables.append(table)
    return tables


def _apply_variant(tables: list[_Table], rng: random.Random) -> None:
    """A migration's worth of changes (each finds its table deterministically from ``rng``)."""
    plain = [t for t in tables if len(t.columns) > 3]
    victim = rng.choice(plain)
    dropped = next(c for c in reversed(victim.columns) if c.name not in victim.indexes and c.name not in victim.unique)
    victim.columns.remove(dropped)
    for table in tables:
        named = next((c for c in table.columns if c.name == "name"), None)
        if named is not None:
            named.pg, named.mysql = "character varying(20)", "varchar(20)"  # narrowed
            break
    for table in reversed(tables):
        quantity = next((c for c in table.columns if c.name == "quantity"), None)
        if quantity is not None:
            quantity.pg, quantity.mysql = "bigint", "bigint"  # widened
            break
    extra = rng.choice(tables)
    candidates = [c.name for c in extra.columns[1:] if c.name not in extra.indexes and c.pg != "jsonb"]
    if candidates:
        extra.indexes.append(candidates[0])
    added = _Table("audit_log_9999")
    added.columns = [
        _Column("id", "bigint", "bigint", True),
        _Column(f"{tables[0].name}_id", "bigint", "bigint", True),
        _Column("action", "character varying(40)", "varchar(40)", True),
        _Column("created_at", "timestamp with time zone", "datetime", True, "now()", "CURRENT_TIMESTAMP"),
    ]
    added.foreign_keys.append((f"{tables[0].name}_id", tables[0].name))
    tables.append(added)


def generate_ddl(tables: int, dialect: str = "postgres", seed: int = 0, variant: int = 0) -> str:
    """A realistic schema-only dump with ``tables`` tables (``variant=1``: after a migration)."""
    spec = _tables(tables, seed)
    if variant:
        _apply_variant(spec, random.Random(seed * 7919 + variant))
    return _render_mysql(spec) if dialect == "mysql" else _render_postgres(spec)


def _render_postgres(tables: list[_Table]) -> str:
    out = [
        "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 16.4\n\n",
        "SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n",
        "SET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\n",
        "SET check_function_bodies = false;\nSET client_min_messages = warning;\n\n",
        "CREATE TYPE public.status AS ENUM (\n    'new',\n    'active',\n    'closed'\n);\n\n",
        "ALTER TYPE public.status OWNER TO app;\n\n",
        "CREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n"
        "    NEW.updated_at = now(); -- keep; RETURN happens below\n    RETURN NEW;\nEND\n$$;\n\n",
        "ALTER FUNCTION public.touch() OWNER TO app;\n\nSET default_tablespace = '';\n\n",
    ]
    for t in tables:
        columns = []
        for c in t.columns:
            default = f" DEFAULT {c.default_pg}" if c.default_pg else ""
            columns.append(f"    {c.name} {c.pg}{default}{' NOT NULL' if c.not_null else ''}")
        out.append(f"--\n-- Name: {t.name}; Type: TABLE; Schema: public; Owner: app\n--\n\n")
        out.append(f"CREATE TABLE public.{t.name} (\n" + ",\n".join(columns) + "\n);\n\n\n")
        out.append(f"ALTER TABLE public.{t.name} OWNER TO app;\n\n")
        out.append(
            f"CREATE SEQUENCE public.{t.name}_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n"
            f"    NO MAXVALUE\n    CACHE 1;\n\n\nALTER TABLE public.{t.name}_id_seq OWNER TO app;\n\n"
            f"ALTER SEQUENCE public.{t.name}_id_seq OWNED BY public.{t.name}.id;\n\n\n"
        )
    for t in tables:
        out.append(
            f"ALTER TABLE ONLY public.{t.name} ALTER COLUMN id SET DEFAULT "
            f"nextval('public.{t.name}_id_seq'::regclass);\n\n\n"
        )
    for t in tables:
        out.append(f"ALTER TABLE ONLY public.{t.name}\n    ADD CONSTRAINT {t.name}_pkey PRIMARY KEY (id);\n\n\n")
        for column in t.unique:
            out.append(
                f"ALTER TABLE ONLY public.{t.name}\n    ADD CONSTRAINT {t.name}_{column}_key UNIQUE ({column});\n\n\n"
            )
    for t in tables:
        for column in t.indexes:
            out.append(f"CREATE INDEX idx_{t.name}_{column} ON public.{t.name} USING btree ({column});\n\n\n")
    for t in tables:
        if any(c.name == "updated_at" for c in t.columns):
            out.append(
                f"CREATE TRIGGER touch BEFORE UPDATE ON public.{t.name} "
                "FOR EACH ROW EXECUTE FUNCTION public.touch();\n\n"
            )
    for t in tables:
        for column, target in t.foreign_keys:
            out.append(
                f"ALTER TABLE ONLY public.{t.name}\n    ADD CONSTRAINT {t.name}_{column}_fkey FOREIGN KEY ({column}) "
                f"REFERENCES public.{target}(id) ON UPDATE CASCADE ON DELETE RESTRICT;\n\n\n"
            )
    out.append("--\n-- PostgreSQL database dump complete\n--\n\n")
    return "".join(out)


def _render_mysql(tables: list[_Table]) -> str:
    out = [
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n\n",
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET NAMES utf8mb4 */;\n",
        "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n\n",
    ]
    for t in tables:
        lines = []
        for c in t.columns:
            extra = " AUTO_INCREMENT" if c.name == "id" else ""
            default = f" DEFAULT {c.default_mysql}" if c.default_mysql else ""
            lines.append(f"  `{c.name}` {c.mysql}{' NOT NULL' if c.not_null else ''}{default}{extra}")
        lines.append("  PRIMARY KEY (`id`)")
        lines += [f"  UNIQUE KEY `{t.name}_{c}_key` (`{c}`)" for c in t.unique]
        lines += [f"  KEY `idx_{t.name}_{c}` (`{c}`)" for c in t.indexes]
        lines += [
            f"  CONSTRAINT `{t.name}_{c}_fk` FOREIGN KEY (`{c}`) REFERENCES `{target}` (`id`) ON DELETE RESTRICT"
            for c, target in t.foreign_keys
        ]
        out.append(f"--\n-- Table structure for table `{t.name}`\n--\n\nDROP TABLE IF EXISTS `{t.name}`;\n")
        out.append("/*!40101 SET @saved_cs_client     = @@character_set_client */;\n")
        out.append(f"CREATE TABLE `{t.name}` (\n" + ",\n".join(lines) + "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n")
        out.append("/*!40101 SET character_set_client = @saved_cs_client */;\n\n")
    out.append("/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n-- Dump completed\n")
    return "".join(out)


def measure(tables: int = 300, dialect: str = "postgres", seed: int = 0) -> dict[str, float]:
    """Seconds for parse(base) + parse(revision) + diff of two generated versions, and the sizes."""
    from .ddl import parse_ddl
    from .diff import diff_schemas

    base, revision = generate_ddl(tables, dialect, seed), generate_ddl(tables, dialect, seed, variant=1)
    started = time.perf_counter()
    old, new = parse_ddl(base, dialect), parse_ddl(revision, dialect)
    parsed = time.perf_counter()
    changes = diff_schemas(old, new)
    done = time.perf_counter()
    return {
        "parse_seconds": parsed - started,
        "diff_seconds": done - parsed,
        "total_seconds": done - started,
        "bytes": float(len(base) + len(revision)),
        "changes": float(len(changes)),
    }
