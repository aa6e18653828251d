"""Is a column type change a widening (every old value still fits) or a narrowing?

``compare_types(old, new)`` takes two canonical type texts (see ``coltypes``) and answers
``"same"``, ``"widened"``, ``"narrowed"`` or ``"changed"`` (not comparable: a different kind of
value, e.g. integer -> text, timestamp -> timestamptz, boolean -> anything). The diff turns
widened into a safe change and the other two into breaking ones.

The rules, family by family (a type's *capacity* is what decides within a family):

============  ====================================================================================
family        rule
============  ====================================================================================
integers      by value range: tinyint 8, smallint 16, mediumint 24, integer 32, bigint 64 bits,
              ``unsigned`` shifts the range; widened when the new range contains the old one.
              To ``numeric(p,s)``: widened when ``p - s`` holds every value; to ``real`` /
              ``double precision``: widened while the float's mantissa (24 / 53 bits) holds it.
numeric       ``numeric(p,s)`` -> ``numeric(p2,s2)``: widened when neither the integer digits
              (``p - s``) nor the scale shrink; bare ``numeric`` is unbounded. To an integer: narrowed.
floats        real -> double precision widened, the reverse narrowed.
strings       by length: ``char(n)``/``varchar(n)`` n (``char`` = 1), ``varchar``/``text``
              unbounded; when a MySQL size is involved, tinytext 255, text 65 535, mediumtext
              16 M, longtext 4 G. Any string -> ``char`` of another kind is "changed" (padding).
binary        the same by length: binary/varbinary(n), tinyblob, blob, mediumblob, longblob, bytea.
temporal      date -> timestamp/timestamptz/datetime widened, the reverse narrowed; precision
              (``timestamp(3)`` -> ``timestamp(6)``) widened, the reverse narrowed (default 6,
              MySQL datetime 0); timestamp <-> timestamptz <-> datetime are "changed".
enum / set    MySQL inline values: a superset widened, a subset narrowed, otherwise changed.
arrays        same number of dimensions, then the element types by these rules.
============  ====================================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INT_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "integer": 32, "bigint": 64}
_FLOAT_MANTISSA = {"real": 24, "double precision": 53}
_UNBOUNDED = float("inf")
_STRING_CAPACITY = {"varchar": _UNBOUNDED, "text": _UNBOUNDED, "char": 1}
_MYSQL_TEXT = {"tinytext": 255, "text": 65_535, "mediumtext": 16_777_215, "longtext": 4_294_967_295}
_BINARY_CAPACITY = {
    "bytea": _UNBOUNDED,
    "binary": 1,
    "varbinary": _UNBOUNDED,
    "tinyblob": 255,
    "blob": 65_535,
    "mediumblob": 16_777_215,
    "longblob": 4_294_967_295,
}
_MYSQL_ONLY_TEXT = {"tinytext", "mediumtext", "longtext"}
_TEMPORAL = {"timestamp", "timestamptz", "datetime"}
_DEFAULT_PRECISION = {"timestamp": 6, "timestamptz": 6, "time": 6, "timetz": 6, "datetime": 0}
_CANONICAL = re.compile(r"^(?P<base>[^()\[\]]*?)(?:\((?P<params>.*)\))?(?P<unsigned> unsigned)?(?P<dims>(?:\[\])*)$")


@dataclass(frozen=True)
class TypeInfo:
    base: str
    params: tuple[str, ...] = ()
    unsigned: bool = False
    dims: int = 0


def parse_type(text: str) -> TypeInfo:
    """Split a canonical type text into its parts (the inverse of ``coltypes.canonical_type``)."""
    match = _CANONICAL.match(text.strip())
    if not match:
        return TypeInfo(text.strip())
    params = tuple(_split_params(match.group("params"))) if match.group("params") is not None else ()
    return TypeInfo(match.group("base").strip(), params, bool(match.group("unsigned")), len(match.group("dims")) // 2)


def compare_types(old: str, new: str) -> str:
    """``"same"``, ``"widened"``, ``"narrowed"`` or ``"changed"``; see the module docstring."""
    if old == new:
        return "same"
    a, b = parse_type(old), parse_type(new)
    if a.dims != b.dims:
        return "changed"
    for rule in (_integers, _numeric, _floats, _strings, _binary, _temporal, _enums):
        verdict = rule(a, b)
        if verdict is not None:
            return verdict
    return "changed"


def _verdict(old_fits: bool, new_fits_in_old: bool) -> str:
    if old_fits and new_fits_in_old:
        return "same"
    return "widened" if old_fits else "narrowed"


# -- numbers -----------------------------------------------------------------------------------


def _int_range(t: TypeInfo) -> tuple[int, int] | None:
    bits = _INT_BITS.get(t.base)
    if bits is None:
        return None
    return (0, 2**bits - 1) if t.unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def _numeric_digits(t: TypeInfo) -> tuple[float, float] | None:
    """(integer digits, scale) of a numeric; unbounded numeric is (inf, inf)."""
    if t.base != "numeric":
        return None
    if not t.params:
        return (_UNBOUNDED, _UNBOUNDED)
    precision = _number(t.params[0])
    scale = _number(t.params[1]) if len(t.params) > 1 else 0
    return (precision - scale, scale)


def _integers(a: TypeInfo, b: TypeInfo) -> str | None:
    old = _int_range(a)
    if old is None:
        return None
    new = _int_range(b)
    if new is not None:
        return _verdict(new[0] <= old[0] and new[1] >= old[1], old[0] <= new[0] and old[1] >= new[1])
    digits = _numeric_digits(b)
    if digits is not None:
        return "widened" if digits[0] >= len(str(max(abs(old[0]), old[1]))) else "narrowed"
    if b.base in _FLOAT_MANTISSA:
        return "widened" if max(abs(old[0]), old[1]) <= 2 ** _FLOAT_MANTISSA[b.base] else "narrowed"
    return None


def _numeric(a: TypeInfo, b: TypeInfo) -> str | None:
    old = _numeric_digits(a)
    if old is None:
        return None
    new = _numeric_digits(b)
    if new is not None:
        return _verdict(new[0] >= old[0] and new[1] >= old[1], old[0] >= new[0] and old[1] >= new[1])
    if b.base in _INT_BITS or b.base in _FLOAT_MANTISSA:
        return "narrowed"  # loses the fraction, or exactness
    return None


def _floats(a: TypeInfo, b: TypeInfo) -> str | None:
    if a.base not in _FLOAT_MANTISSA:
        return None
    if b.base in _FLOAT_MANTISSA:
        old, new = _FLOAT_MANTISSA[a.base], _FLOAT_MANTISSA[b.base]
        return "same" if old == new else "widened" if new > old else "narrowed"
    if b.base in _INT_BITS or b.base == "numeric":
        return "narrowed"
    return None


# -- strings and bytes -----------------------------------------------------------------------


def _capacity(t: TypeInfo, table: dict[str, float]) -> float | None:
    if t.base not in table:
        return None
    if t.params:
        return _number(t.params[0])
    return table[t.base]


def _strings(a: TypeInfo, b: TypeInfo) -> str | None:
    table = _STRING_CAPACITY
    if {a.base, b.base} & _MYSQL_ONLY_TEXT:
        table = {**_STRING_CAPACITY, **_MYSQL_TEXT}
    old, new = _capacity(a, table), _capacity(b, table)
    if old is None or new is None:
        return None
    if b.base == "char" and a.base != "char":
        return "changed"  # char pads with blanks: the stored values change
    return _by_capacity(a, b, old, new)


def _binary(a: TypeInfo, b: TypeInfo) -> str | None:
    old, new = _capacity(a, _BINARY_CAPACITY), _capacity(b, _BINARY_CAPACITY)
    if old is None or new is None:
        return None
    return _by_capacity(a, b, old, new)


def _by_capacity(a: TypeInfo, b: TypeInfo, old: float, new: float) -> str:
    if new != old:
        return "widened" if new > old else "narrowed"
    # same capacity: the same type spelled differently, or another kind every value fits in (varchar -> text)
    return "same" if a.base == b.base else "widened"


# -- dates and times -------------------------------------------------------------------------


def _precision(t: TypeInfo) -> float:
    return _number(t.params[0]) if t.params else _DEFAULT_PRECISION.get(t.base, 6)


def _temporal(a: TypeInfo, b: TypeInfo) -> str | None:
    if a.base == "date" and b.base in _TEMPORAL:
        return "widened"
    if a.base in _TEMPORAL and b.base == "date":
        return "narrowed"
    if a.base == b.base and a.base in _DEFAULT_PRECISION:
        return _verdict(_precision(b) >= _precision(a), _precision(a) >= _precision(b))
    return None


def _enums(a: TypeInfo, b: TypeInfo) -> str | None:
    if a.base != b.base or a.base not in ("enum", "set"):
        return None
    old, new = set(a.params), set(b.params)
    if old == new:
        return "changed"  # same values in another order: MySQL sorts and indexes by position
    if new > old:
        return "widened"
    return "narrowed" if new < old else "changed"


def _split_params(text: str) -> list[str]:
    params, current, quoted = [], "", False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "," and not quoted:
            params.append(current)
            current = ""
        else:
            current += char
    params.append(current)
    return [p.strip() for p in params]


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return _UNBOUNDED
