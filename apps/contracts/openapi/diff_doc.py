"""One OpenAPI document as the diff engine reads it: local ``$ref`` resolution, operations, version.

Only local references (``#/...``) are followed; anything else (another file, a URL) stays an opaque string and
is compared as such, never fetched. Swagger 2.0 documents are first rewritten into OpenAPI 3 shapes.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from .diff_swagger2 import swagger2_to_openapi3

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_REF_RE = re.compile(r'"\$ref": "((?:[^"\\]|\\.)*)"')
EMPTY: dict = {}
NOTHING: dict = {"not": {}}


def _unescape(token: str) -> str:
    return unquote(token).replace("~1", "/").replace("~0", "~")


class Doc:
    """A parsed OpenAPI document (dicts and lists) with local reference resolution."""

    def __init__(self, raw):
        raw = raw if isinstance(raw, dict) else {}
        self.swagger2 = str(raw.get("swagger", "")).startswith("2")
        self.root: dict = swagger2_to_openapi3(raw) if self.swagger2 else raw
        self.openapi = str(self.root.get("openapi", "3.0.0"))
        self.is31 = self.openapi.startswith("3.1") or self.openapi.startswith("3.2")
        self._lookups: dict[str, object] = {}

    # --- references ---

    def lookup(self, ref: str):
        """The node a local ``#/...`` pointer designates, or None (external or dangling)."""
        if ref in self._lookups:
            return self._lookups[ref]
        node = None
        if ref.startswith("#"):
            node = self.root
            fragment = ref[1:]
            for token in fragment.split("/")[1:] if fragment else []:
                token = _unescape(token)
                if isinstance(node, dict):
                    node = node.get(token)
                elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                    node = node[int(token)]
                else:
                    node = None
                if node is None:
                    break
        self._lookups[ref] = node
        return node

    def deref(self, node):
        """Follow a chain of local $refs: (target, first ref or None). Cycles and unresolvable refs stop the chain;
        an unresolvable (external) reference is returned as is, an opaque ``{"$ref": ...}``."""
        first = None
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if first is None:
                first = ref
            if ref in seen:
                break
            seen.add(ref)
            target = self.lookup(ref)
            if not isinstance(target, dict | bool):
                break
            node = target
        return node, first

    def schema(self, node):
        """A schema node resolved: (dict, ref). Boolean schemas become {} / {"not": {}}."""
        node, ref = self.deref(node)
        if node is True:
            return EMPTY, ref
        if node is False:
            return NOTHING, ref
        if not isinstance(node, dict):
            return EMPTY, ref
        return node, ref

    def obj(self, node) -> dict:
        """A non-schema object (parameter, response, header ...) resolved, {} when missing."""
        node, _ = self.deref(node)
        return node if isinstance(node, dict) else {}

    # --- document parts ---

    def paths(self) -> dict:
        paths = self.root.get("paths")
        return paths if isinstance(paths, dict) else {}

    def operations(self, path_item: dict) -> dict[str, dict]:
        path_item = self.obj(path_item)
        return {method: op for method in METHODS if isinstance(op := path_item.get(method), dict)}

    def components(self, kind: str) -> dict:
        components = self.root.get("components")
        section = components.get(kind) if isinstance(components, dict) else None
        return section if isinstance(section, dict) else {}

    def version(self) -> str | None:
        info = self.root.get("info")
        version = info.get("version") if isinstance(info, dict) else None
        return None if version is None else str(version)


def stable_refs(base: Doc, revision: Doc) -> set[str]:
    """Local refs whose target is identical in both documents, transitively (every ref inside it is stable too).

    Comparing two stable refs can short-circuit to "no change" without walking the target, which keeps the
    diff of two large, mostly identical documents (Stripe) cheap.
    """
    candidates: dict[str, set[str]] = {}
    for root_key in ("components", "definitions", "parameters", "responses"):
        base_part, revision_part = base.root.get(root_key), revision.root.get(root_key)
        if not isinstance(base_part, dict) or not isinstance(revision_part, dict):
            continue
        sections = base_part.items() if root_key == "components" else [(None, base_part)]
        for section, base_items in sections:
            revision_items = revision_part.get(section) if section else revision_part
            if not isinstance(base_items, dict) or not isinstance(revision_items, dict):
                continue
            prefix = f"#/{root_key}/{section}/" if section else f"#/{root_key}/"
            for name, base_node in base_items.items():
                if name in revision_items and _equal(revision_items[name], base_node):
                    ref = prefix + str(name).replace("~", "~0").replace("/", "~1")
                    candidates[ref] = _refs_in(base_node)
    stable = set(candidates)
    changed = True
    while changed:
        changed = False
        for ref in list(stable):
            if any(inner not in stable and inner.startswith("#") for inner in candidates[ref]):
                stable.discard(ref)
                changed = True
    return stable


def _equal(a, b) -> bool:
    try:
        return a == b
    except RecursionError:
        return False


def _refs_in(node) -> set[str]:
    try:
        dumped = json.dumps(node, default=str)
    except (TypeError, ValueError, RecursionError):
        return {"#unknown"}
    return {json.loads(f'"{match}"') for match in _REF_RE.findall(dumped)}


def refs_in(node) -> set[str]:
    return _refs_in(node)
