"""JSON pointers and ``$ref`` walking shared by the loader, the bundler, the validator and the index.

This module owns the one definition of "where are the references in an OpenAPI document": which
``$ref`` strings are references (not example data that happens to contain a ``$ref`` key), how a
reference is classified (local pointer, relative file, absolute path, URL) and how a local pointer
is resolved. Nothing here reads a file or opens a connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

__all__ = [
    "escape",
    "unescape",
    "join_pointer",
    "split_pointer",
    "resolve_pointer",
    "iter_objects",
    "iter_refs",
    "ref_kind",
    "split_ref",
    "collect_ids",
    "in_schema",
    "MISSING",
]

MISSING = object()

# Keys whose value is literal data (an example, a default, an enum...): a "$ref" inside is a value
# the author wrote, not a reference, so it is neither resolved nor bundled.
_LITERAL_KEYS = frozenset({"example", "default", "enum", "const", "value"})
# Keys whose value maps author-chosen names to objects: a property called "default" or a response
# called "default" is a name there, not the keyword.
_NAME_MAPS = frozenset(
    {
        "properties", "patternProperties", "definitions", "$defs", "schemas", "responses", "parameters",
        "headers", "securitySchemes", "securityDefinitions", "examples", "links", "callbacks", "pathItems",
        "requestBodies", "paths", "webhooks", "content", "encoding", "dependentSchemas", "variables",
        "mediaTypes",
    }
)
# A "schema" key under one of these is a name (an example called "schema"), not a Schema Object.
_NON_SCHEMA_MAPS = frozenset({"examples", "headers", "parameters", "responses", "links", "callbacks", "requestBodies",
                              "securitySchemes", "content", "encoding", "paths", "webhooks", "pathItems", "variables"})
_SCHEMA_KEYS = frozenset({"schema", "schemas", "definitions", "$defs"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def escape(segment: Any) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def join_pointer(parts) -> str:
    return "".join("/" + escape(part) for part in parts)


def split_pointer(pointer: str) -> list[str]:
    """``/paths/~1pets/get`` -> ``["paths", "/pets", "get"]``; ``""`` (the root) -> ``[]``."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return [unescape(part) for part in pointer[1:].split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The node at a JSON pointer (already fragment-decoded), or ``MISSING``."""
    node = document
    for part in split_pointer(pointer):
        if isinstance(node, dict):
            if part not in node:
                return MISSING
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node) or (len(part) > 1 and part[0] == "0"):
                return MISSING
            node = node[int(part)]
        else:
            return MISSING
    return node


def ref_kind(ref: str) -> str:
    """``local`` (``#...``), ``url`` (any scheme: http, https, file, urn...), ``absolute`` (``/etc/passwd``,
    ``C:\\...``, ``\\\\host``) or ``relative`` (``schemas/pet.yaml#/Pet``)."""
    if ref.startswith("#") or ref == "":
        return "local"
    if _WINDOWS_DRIVE.match(ref):
        return "absolute"
    if _SCHEME.match(ref) or ref.startswith("//"):
        return "url"
    if ref.startswith(("/", "\\")):
        return "absolute"
    return "relative"


def split_ref(ref: str) -> tuple[str, str]:
    """``file.yaml#/a/b`` -> ``("file.yaml", "/a/b")`` with the fragment percent-decoded."""
    target, _, fragment = ref.partition("#")
    return target, unquote(fragment)


def iter_objects(document: Any) -> Iterator[tuple[tuple, dict]]:
    """Every object (a dict that is not a map of names) in document order, with its path parts.

    Iterative (no recursion limit); skips literal values (examples, defaults, enums) and treats the
    children of name maps (``properties``, ``responses``...) as names, never as keywords.
    """
    stack: list[tuple[Any, tuple, bool]] = [(document, (), False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, parts, names = pop()
        if isinstance(node, dict):
            if names:
                items = [(value, (*parts, key), False) for key, value in node.items()
                         if isinstance(value, (dict, list))]
            else:
                yield parts, node
                items = []
                for key, value in node.items():
                    if key in _LITERAL_KEYS or not isinstance(value, (dict, list)):
                        continue
                    if key == "examples" and isinstance(value, list):
                        continue  # JSON Schema's examples: a list of literal values
                    items.append((value, (*parts, key), key in _NAME_MAPS and isinstance(value, dict)))
            for item in reversed(items):
                push(item)
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                value = node[index]
                if isinstance(value, (dict, list)):
                    push((value, (*parts, index), False))


def iter_refs(document: Any) -> Iterator[tuple[tuple, str, dict]]:
    """Every reference in the document: ``(path parts of the object holding it, $ref string, that object)``."""
    for parts, node in iter_objects(document):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield parts, ref, node


def in_schema(parts: tuple) -> bool:
    """Whether the node at these path parts is (inside) a Schema Object: some ancestor key is
    ``schema``, ``schemas``, ``definitions`` or ``$defs`` used as a keyword, not as a name."""
    for index, part in enumerate(parts):
        if part in _SCHEMA_KEYS and (index == 0 or parts[index - 1] not in _NON_SCHEMA_MAPS):
            return True
    return False


def collect_ids(document: Any) -> set[str]:
    """Every schema ``$id`` (without fragment) in the document: 3.1 refs may name a schema by its $id."""
    ids: set[str] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            value = node.get("$id")
            if isinstance(value, str):
                ids.add(value.partition("#")[0])
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return ids
