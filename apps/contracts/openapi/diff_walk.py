"""Walking a schema diff the way oasdiff's checker does (``CheckModifiedPropertiesDiff`` and friends).

Each visited node carries its property path ("items/testField", "allOf[#/components/schemas/Dog]/breed"), its
own name, the parent diff and a JSON pointer on each side.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .diff_model import pointer
from .diff_schema_model import SchemaDiff

MAX_DEPTH = 256
#: How often one diff node may be reported per walk: a schema shared by several properties is reported under each
#: of their paths (as oasdiff does), but the number of paths through a graph of shared schemas can grow
#: exponentially (Stripe's expandable objects), so past this many visits a node is neither reported nor descended.
MAX_VISITS = 3


def join(path: str, segment: str) -> str:
    if not segment:
        return path
    return f"{path}/{segment}" if path else segment


@dataclass
class Node:
    path: str  # the property path of the parent
    name: str  # the property name ("" for the root and for subschemas, items ...)
    diff: SchemaDiff
    parent: SchemaDiff | None
    bptr: str
    rptr: str

    @property
    def full(self) -> str:
        return join(self.path, self.name)

    @property
    def is_root(self) -> bool:
        return not self.path and not self.name

    def required_in_revision(self) -> bool:
        return bool(self.name) and self.parent is not None and _required(self.parent.rev, self.name)

    def required_in_base(self) -> bool:
        return bool(self.name) and self.parent is not None and _required(self.parent.base, self.name)


def _required(schema: dict | None, name: str) -> bool:
    required = schema.get("required") if schema else None
    return isinstance(required, list) and name in required


_SINGLE = (
    "items",
    "additionalProperties",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "if",
    "then",
    "else",
    "contentSchema",
)


def walk(diff: SchemaDiff, bptr: str, rptr: str) -> Iterator[Node]:
    """Every node of the diff tree (root first) whose both sides exist, depth-first, at most MAX_VISITS times."""
    visits: dict[int, int] = {}
    stack = [("", "", diff, None, bptr, rptr, 0, frozenset())]
    while stack:
        path, name, diff, parent, bptr, rptr, depth, ancestors = stack.pop()
        if diff is None or diff.base is None or diff.rev is None:
            continue
        seen = visits.get(id(diff), 0)
        if seen >= MAX_VISITS:
            continue
        visits[id(diff)] = seen + 1
        yield Node(path, name, diff, parent, bptr, rptr)
        if depth >= MAX_DEPTH or id(diff) in ancestors:
            continue
        children = list(_children(path, name, diff, bptr, rptr))
        ancestors = ancestors | {id(diff)}
        for child_path, child_name, child, child_bptr, child_rptr in reversed(children):
            stack.append((child_path, child_name, child, diff, child_bptr, child_rptr, depth + 1, ancestors))


def _children(path: str, name: str, diff: SchemaDiff, bptr: str, rptr: str) -> Iterator[tuple]:
    full = join(path, name)
    f = diff.f
    for key in ("allOf", "anyOf", "oneOf"):
        if key in f:
            for modified in f[key].modified:
                yield (
                    join(full, f"{key}[{modified}]"),
                    "",
                    modified.diff,
                    pointer(bptr, key, modified.base.index),
                    pointer(rptr, key, modified.revision.index),
                )
    if "items" in f:
        yield join(full, "items"), "", f["items"], pointer(bptr, "items"), pointer(rptr, "items")
    if "properties" in f:
        for prop, sub in f["properties"].modified.items():
            yield full, prop, sub, pointer(bptr, "properties", prop), pointer(rptr, "properties", prop)
    for key in _SINGLE[1:]:
        if key in f:
            yield join(full, key), "", f[key], pointer(bptr, key), pointer(rptr, key)
    if "prefixItems" in f:
        for modified in f["prefixItems"].modified:
            yield (
                join(full, f"prefixItems[{modified}]"),
                "",
                modified.diff,
                pointer(bptr, "prefixItems", modified.base.index),
                pointer(rptr, "prefixItems", modified.revision.index),
            )
    for key in ("patternProperties", "dependentSchemas"):
        if key in f:
            for entry, sub in f[key].modified.items():
                yield join(full, f"{key}[{entry}]"), "", sub, pointer(bptr, key, entry), pointer(rptr, key, entry)
