"""The validator's own semantic checks: what openapi-spec-validator doesn't report, in one walk.

This module owns: every ``$ref`` resolvable inside the document (a local pointer that exists, a
3.1 ``$anchor`` or ``$id``), never followed elsewhere (a URL, an absolute path or another file is
reported, not fetched: osv would raise on the first one and stop); chains of references that only
lead to each other; ``example`` together with ``examples`` (3.x: mutually exclusive); and unknown
fields in a Link Object (3.1+, where the bundled schema doesn't catch them — the OAI's own schema
tests reject ``body``).
"""

from __future__ import annotations

from typing import Any

from .refs import MISSING, collect_ids, iter_objects, join_pointer, ref_kind, resolve_pointer, split_pointer, split_ref

__all__ = ["semantic_issues"]

_LINK_FIELDS = frozenset({"operationRef", "operationId", "parameters", "requestBody", "description", "server", "$ref"})


def _where_it_stops(document: Any, fragment: str) -> str:
    """'no 'Pets' under '#/definitions'' for a pointer whose last existing node is /definitions."""
    try:
        parts = split_pointer(fragment)
    except ValueError:
        return f"{fragment!r} is not a JSON pointer (it must start with '/')"
    node: Any = document
    for index, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            parent = "#" + join_pointer(parts[:index])
            return f"no {part!r} under {parent!r}" if index else f"the document has no {part!r}"
    return "the target exists"  # pragma: no cover - only called for missing targets


def _anchors(document: Any) -> set[str]:
    found: set[str] = set()
    for _, node in iter_objects(document):
        for key in ("$anchor", "$dynamicAnchor"):
            if isinstance(node.get(key), str):
                found.add(node[key])
    return found


class _RefChecker:
    def __init__(self, document: Any, version: str, refused: dict[str, str]):
        self.document, self.version, self.refused = document, version, refused
        self.ids: set[str] | None = None
        self.anchors: set[str] | None = None
        self.cycles: set[frozenset] = set()

    def problem(self, ref: str, pointer: str) -> tuple[str, str] | None:
        """``(message, rule)`` when the reference can't be resolved inside the document."""
        if pointer in self.refused:
            return f"unresolvable $ref {ref!r}: {self.refused[pointer]}", "ref-refused"
        kind = ref_kind(ref)
        base, fragment = split_ref(ref)
        if kind == "local":
            if not fragment:
                return None
            if fragment.startswith("/"):
                if resolve_pointer(self.document, fragment) is MISSING:
                    return f"unresolvable $ref {ref!r}: {_where_it_stops(self.document, fragment)}", "ref-unresolvable"
                return self._cycle(ref, fragment)
            if self.anchors is None:
                self.anchors = _anchors(self.document)
            if fragment in self.anchors:
                return None
            return f"unresolvable $ref {ref!r}: no $anchor {fragment!r} in the document", "ref-unresolvable"
        if self.version in ("3.1", "3.2"):
            if self.ids is None:
                self.ids = collect_ids(self.document)
            if base in self.ids:
                return None  # a schema of this document named by its $id
        if kind == "url":
            return (f"unresolvable $ref {ref!r}: references to URLs are never fetched; only references inside the "
                    "document (#/...) are resolved", "ref-remote")
        if kind == "absolute":
            return f"unresolvable $ref {ref!r}: absolute file paths are never read", "ref-remote"
        return (f"unresolvable $ref {ref!r}: it names another file, which a single-file upload doesn't have "
                "(upload the files as a zip to bundle them)", "ref-external-file")

    def _cycle(self, ref: str, fragment: str) -> tuple[str, str] | None:
        """A chain of references that only point at each other (A -> B -> A) never reaches a definition."""
        chain = [fragment]
        node = resolve_pointer(self.document, fragment)
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and ref_kind(node["$ref"]) == "local":
            following = split_ref(node["$ref"])[1]
            if not following.startswith("/"):
                return None
            if following in chain:
                loop = frozenset(chain[chain.index(following):])
                if loop in self.cycles:
                    return None
                self.cycles.add(loop)
                shown = " -> ".join("#" + part for part in [*chain[chain.index(following):], following])
                return f"circular $ref {ref!r}: {shown} never reaches a definition", "ref-circular"
            chain.append(following)
            node = resolve_pointer(self.document, following)
        return None


def semantic_issues(document: dict, version: str, refused: dict[str, str] | None = None) -> list[tuple]:
    """``(message, pointer, rule, severity)`` for every problem found by our own checks."""
    issues: list[tuple] = []
    refs = _RefChecker(document, version, refused or {})
    v3 = version != "2.0"
    v31 = version in ("3.1", "3.2")
    for parts, node in iter_objects(document):
        ref = node.get("$ref")
        if isinstance(ref, str):
            pointer = join_pointer(parts) + "/$ref"
            problem = refs.problem(ref, pointer)
            if problem:
                issues.append((problem[0], pointer, problem[1], "error"))
        if v3 and "example" in node and isinstance(node.get("examples"), dict):
            issues.append(("'example' and 'examples' are mutually exclusive; keep one",
                           join_pointer((*parts, "example")), "example-examples", "error"))
        if v31 and len(parts) >= 3 and parts[-2] == "links" and (parts[-3] == "components" and len(parts) == 3
                                                                 or len(parts) >= 4 and parts[-4] == "responses"):
            for key in node:
                if key not in _LINK_FIELDS and not key.startswith("x-"):
                    issues.append((f"Link Object has an unknown field {key!r} (allowed: operationRef, operationId, "
                                   "parameters, requestBody, description, server)", join_pointer((*parts, key)),
                                   "link-fields", "error"))
    return issues
