"""Column type names normalised to one spelling, so DBML, PostgreSQL and MySQL types compare.

``normalize_type`` turns whatever a source wrote (``character varying(255)``, ``VARCHAR(255)``,
``int4``, ``INT(11) UNSIGNED``, ``timestamp(2) with time zone``, ``int ARRAY[3]``) into one
canonical text: lower-case, canonical name, parameters without spaces, ``unsigned`` kept,
one ``[]`` per array dimension (PostgreSQL ignores declared array sizes). The DDL reader builds
the same text from sqlglot's parsed types through ``canonical_type``.

What is deliberately *not* unified: ``datetime`` vs ``timestamp`` (different types in MySQL),
``text`` vs ``varchar`` (different in MySQL, and the diff ranks them anyway), ``tinyint`` vs
``boolean``. Unknown names (domains, enums, extension types) are kept, minus a ``public.``
prefix, so ``public.mpaa_rating`` and ``mpaa_rating`` are the same type.
"""

from __future__ import annotations

import re

#: Spelling -> canonical name. Keys are lower-case, words separated by one space.
SYNONYMS: dict[str, str] = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "signed": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "bool": "boolean",
    "character varying": "varchar",
    "char varying": "varchar",
    "national character varying": "varchar",
    "nvarchar": "varchar",
    "varchar2": "varchar",
    "nvarchar2": "varchar",
    "character": "char",
    "nchar": "char",
    "national character": "char",
    "bpchar": "char",
    "decimal": "numeric",
    "dec": "numeric",
    "fixed": "numeric",
    "float4": "real",
    "float8": "double precision",
    "double": "double precision",
    "float": "double precision",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "bit varying": "varbit",
}

#: Names whose parameter is a display width, not a size: ``int(11)`` is just ``integer``.
INTEGER_TYPES = frozenset({"tinyint", "smallint", "mediumint", "integer", "bigint"})

#: Spellings that also mean "numbered by the database" (the reader sets the AUTOINCREMENT default).
SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})

_MODIFIERS = frozenset({"unsigned", "signed", "zerofill"})

#: Built-in type words; only these are lower-cased. Other names (enums, domains) keep their case,
#: because DBML and quoted SQL names are case-sensitive.
_BUILTIN_WORDS = frozenset(
    " ".join([*SYNONYMS, *SYNONYMS.values(), *INTEGER_TYPES, *SERIAL_TYPES]).split()
    + [
        *("text", "varchar", "char", "numeric", "real", "boolean", "date", "time", "timestamp", "timestamptz"),
        *("timetz", "interval", "json", "jsonb", "uuid", "bytea", "blob", "tinyblob", "mediumblob", "longblob"),
        *("tinytext", "mediumtext", "longtext", "binary", "varbinary", "bit", "varbit", "enum", "set", "year"),
        *("datetime", "money", "xml", "inet", "cidr", "macaddr", "macaddr8", "tsvector", "tsquery", "point"),
        *("line", "lseg", "box", "path", "polygon", "circle", "geometry", "geography", "oid", "regclass", "name"),
        *("citext", "hstore", "int1", "string", "uniqueidentifier", "smalldatetime", "datetime2", "ntext"),
    ]
)

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<dq>"(?:[^"]|"")*")
      | (?P<bq>`(?:[^`]|``)*`)
      | (?P<str>'(?:[^']|'')*')
      | (?P<word>[^\W\d][\w$]*)
      | (?P<num>[+-]?\d+(?:\.\d+)?)
      | (?P<sym>\S)
    )""",
    re.VERBOSE,
)


def canonical_type(base: str, params: list[str] | tuple[str, ...] = (), unsigned: bool = False, dims: int = 0) -> str:
    """Assemble the canonical text from a base name (any known spelling) and its parts."""
    base = SYNONYMS.get(base, base)
    if base.startswith("public."):
        base = base[len("public.") :]
    params = list(params)
    if base in INTEGER_TYPES:
        params = []  # display width: meaningless for comparison
    elif base == "numeric" and len(params) == 1:
        params.append("0")  # numeric(10) is numeric(10,0)
    elif base == "double precision" and len(params) == 1:
        # float(p): up to 24 binary digits is single precision
        base, params = ("real" if _int(params[0], 53) <= 24 else "double precision"), []
    text = f"{base}({','.join(params)})" if params else base
    if unsigned:
        text += " unsigned"
    return text + "[]" * dims


def normalize_type(raw: str) -> str:
    """Canonical text for a type as written in DBML or SQL; see the module docstring."""
    words: list[str] = []
    params: list[str] | None = None
    unsigned = False
    dims = 0
    after_array_keyword = False
    tokens = list(_tokens(raw))
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        i += 1
        if kind == "word" and value.lower() == "array":
            dims += 1
            after_array_keyword = True
            continue
        if kind == "word" and value.lower() in _MODIFIERS:
            unsigned = unsigned or value.lower() == "unsigned"
            continue
        if kind in ("word", "dq", "bq"):
            name = value if kind != "word" else value.lower() if value.lower() in _BUILTIN_WORDS else value
            name = _unquote(name) if kind != "word" else name
            if words and words[-1].endswith("."):
                words[-1] += name
            else:
                words.append(name)
        elif kind == "sym" and value == "." and words:
            words[-1] += "."
        elif kind == "sym" and value == "(":
            inner, i = _until_close(tokens, i, "(", ")")
            if params is None:
                params = _split_params(inner)
        elif kind == "sym" and value == "[":
            _, i = _until_close(tokens, i, "[", "]")
            if not after_array_keyword:
                dims += 1
        after_array_keyword = False
    if not words:
        return raw.strip().lower()
    return canonical_type(" ".join(words), params or [], unsigned, dims)


def is_serial(raw: str) -> bool:
    """``serial``/``bigserial``/...: the column is numbered by the database."""
    return raw.strip().lower() in SERIAL_TYPES


def _tokens(raw: str):
    for match in _TOKEN.finditer(raw):
        kind = match.lastgroup
        if kind is not None:
            yield kind, match.group(kind)


Token = tuple[str, str]


def _until_close(tokens: list[Token], i: int, opening: str, closing: str) -> tuple[list[Token], int]:
    depth = 1
    inner = []
    while i < len(tokens):
        kind, value = tokens[i]
        i += 1
        if kind == "sym" and value == opening:
            depth += 1
        elif kind == "sym" and value == closing:
            depth -= 1
            if depth == 0:
                break
        inner.append((kind, value))
    return inner, i


def _split_params(inner: list[tuple[str, str]]) -> list[str]:
    """Parameters as text: numbers and words lower-cased, string literals (enum values) kept."""
    params: list[str] = []
    current = ""
    for kind, value in inner:
        if kind == "sym" and value == ",":
            params.append(current)
            current = ""
        elif kind == "str":
            current += value
        else:
            current += value.lower() if current == "" else " " + value.lower() if kind == "word" else value.lower()
    if current or params:
        params.append(current)
    return [p.strip() for p in params]


def _unquote(value: str) -> str:
    quote = value[0]
    return value[1:-1].replace(quote * 2, quote)


def _int(text: str, fallback: int) -> int:
    try:
        return int(text)
    except ValueError:
        return fallback
