"""The shape of a schema diff (oasdiff's ``SchemaDiff``): which keywords changed and how, plus schema helpers."""

from __future__ import annotations

import json

# keywords compared as plain values: (from, to)
VALUE_KEYS = (
    "format",
    "pattern",
    "default",
    "const",
    "title",
    "description",
    "example",
    "examples",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
    "contentMediaType",
    "contentEncoding",
    "xml",
    "externalDocs",
    "$comment",
)
BOOL_KEYS = ("readOnly", "writeOnly", "deprecated", "uniqueItems", "allowEmptyValue")
SUBSCHEMA_KEYS = (
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "contentSchema",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
)
MAP_KEYS = ("properties", "patternProperties", "dependentSchemas")
LIST_KEYS = ("allOf", "anyOf", "oneOf", "prefixItems")
ANNOTATION_KEYS = {"title", "description", "examples", "example", "default", "externalDocs", "$comment", "deprecated"}


def types_of(schema: dict | None) -> list[str]:
    """The schema's types without "null" (nullability is compared on its own)."""
    if not schema:
        return []
    kind = schema.get("type")
    if isinstance(kind, str):
        return [] if kind == "null" else [kind]
    if isinstance(kind, list):
        return [t for t in kind if isinstance(t, str) and t != "null"]
    return []


def is_nullable(schema: dict | None) -> bool:
    if not schema:
        return False
    kind = schema.get("type")
    return schema.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind)


def required_of(schema: dict | None) -> list[str]:
    required = schema.get("required") if schema else None
    return [name for name in required if isinstance(name, str)] if isinstance(required, list) else []


def same_value(a, b) -> bool:
    """a == b, and False (different) when the values are too deeply nested to compare."""
    try:
        return a == b
    except RecursionError:
        return False


def enum_key(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


class Sub:
    """A subschema of allOf/anyOf/oneOf/prefixItems, named like oasdiff does."""

    __slots__ = ("index", "component", "title")

    def __init__(self, index: int, component: str = "", title: str = ""):
        self.index, self.component, self.title = index, component, title

    def __str__(self) -> str:
        if self.title:
            return f"subschema #{self.index + 1}: {self.title}"
        if self.component:
            return f"#/components/schemas/{self.component}"
        return f"subschema #{self.index + 1}"


def subs_text(subs: list[Sub]) -> str:
    return ", ".join(str(sub) for sub in subs)


class ModifiedSub:
    __slots__ = ("base", "revision", "diff")

    def __init__(self, base: Sub, revision: Sub, diff: SchemaDiff):
        self.base, self.revision, self.diff = base, revision, diff

    def __str__(self) -> str:
        base, revision = str(self.base), str(self.revision)
        return base if base == revision else f"{base} -> {revision}"


class SubsDiff:
    __slots__ = ("added", "deleted", "modified")

    def __init__(self, added: list[Sub], deleted: list[Sub], modified: list[ModifiedSub]):
        self.added, self.deleted, self.modified = added, deleted, modified


class MapDiff:
    __slots__ = ("added", "deleted", "modified")

    def __init__(self, added: list[str], deleted: list[str], modified: dict[str, SchemaDiff]):
        self.added, self.deleted, self.modified = added, deleted, modified


class EnumDiff:
    __slots__ = ("added", "deleted", "enum_added", "enum_deleted")

    def __init__(self, added: list, deleted: list, enum_added: bool, enum_deleted: bool):
        self.added, self.deleted, self.enum_added, self.enum_deleted = added, deleted, enum_added, enum_deleted


_CONTAINERS = set(SUBSCHEMA_KEYS) | set(MAP_KEYS) | set(LIST_KEYS)


def _local(f: dict) -> bool:
    """Whether a diff has changes of its own, beyond changes further down (modified properties, items ...)."""
    for key, value in f.items():
        if key not in _CONTAINERS:
            return True
        if isinstance(value, SchemaDiff):
            if "added" in value.f or "deleted" in value.f:
                return True
        elif value.added or value.deleted:
            return True
    return False


class SchemaDiff:
    """What changed between two schema nodes: ``f`` maps a keyword to its diff; ``base``/``rev`` are the nodes.
    ``local`` tells whether anything changed on this node itself rather than only below it."""

    __slots__ = ("base", "rev", "f", "local")

    def __init__(self, base: dict | None, rev: dict | None, f: dict):
        self.base, self.rev, self.f = base, rev, f
        self.local = _local(f)

    def __contains__(self, key: str) -> bool:
        return key in self.f

    def get(self, key: str):
        return self.f.get(key)


def annotation_only(schema: dict) -> bool:
    """True when a schema only carries annotations (it constrains nothing)."""
    return all(key in ANNOTATION_KEYS or (isinstance(key, str) and key.startswith("x-")) for key in schema)
