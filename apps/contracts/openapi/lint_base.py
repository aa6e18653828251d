"""The lint engine's building blocks: rule metadata, the rule registry and the document context.

This module owns how a lint rule is declared (``@rule(id, severity, description, ...)`` on a
function that yields ``(path parts, message)`` pairs) and the shared, lazily computed views of a
document every rule reads (objects, operations, schemas) so that forty rules walk it a few times,
not forty. The rules themselves live in ``lint_rules.py`` and ``lint_schemas.py``; ``lint.py`` runs
them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .index import METHODS, deref
from .refs import MISSING, in_schema, iter_objects, ref_kind, resolve_pointer, split_pointer, split_ref

__all__ = ["Rule", "Context", "Op", "rule", "REGISTRY", "ALL", "V2", "V3", "V31"]

ALL = frozenset({"2.0", "3.0", "3.1", "3.2"})
V2 = frozenset({"2.0"})
V3 = frozenset({"3.0", "3.1", "3.2"})
V31 = frozenset({"3.1", "3.2"})
_VERSION = re.compile(r"^(\d+)\.(\d+)")


@dataclass(frozen=True)
class Rule:
    """A lint rule's metadata: what the app shows and lets a team configure."""

    id: str
    severity: str  # default: "error" | "warn" | "info"
    description: str
    recommended: bool = True  # False: Spectral leaves it out of spectral:oas; here it defaults to "info"
    formats: frozenset = ALL  # spec versions it applies to


Check = Callable[["Context"], Iterable[tuple[tuple, str]]]
REGISTRY: dict[str, tuple[Rule, Check]] = {}


def rule(rule_id: str, severity: str, description: str, *, formats: frozenset = ALL,
         recommended: bool = True) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if rule_id in REGISTRY:  # pragma: no cover - a programming error
            raise ValueError(f"lint rule {rule_id} registered twice")
        REGISTRY[rule_id] = (Rule(rule_id, severity, description, recommended, formats), check)
        return check

    return register


@dataclass(frozen=True)
class Op:
    parts: tuple  # path parts of the operation object
    path: str
    method: str
    operation: dict
    path_item: dict


def version_of(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    if "openapi" in document:
        match = _VERSION.match(str(document["openapi"]))
        return f"{match.group(1)}.{match.group(2)}" if match else None
    return "2.0" if str(document.get("swagger")) == "2.0" else None


def strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class Context:
    """One document as the rules see it; every view is computed on first use and shared."""

    def __init__(self, document: dict):
        self.document = document
        self.version = version_of(document)

    def get(self, *keys: Any, default: Any = None) -> Any:
        node: Any = self.document
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def mapping(self, *keys: Any) -> dict:
        """The dict at ``keys``, or ``{}`` when it is missing or malformed (rules must survive any input)."""
        value = self.get(*keys)
        return value if isinstance(value, dict) else {}

    def sequence(self, *keys: Any) -> list:
        value = self.get(*keys)
        return value if isinstance(value, list) else []

    def deref(self, node: Any) -> Any:
        return deref(self.document, node)

    def target_parts(self, node: Any, parts: tuple) -> tuple:
        """Where a possibly ``$ref``'d node really is: the target's parts for a local ref."""
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and ref_kind(node["$ref"]) == "local":
            fragment = split_ref(node["$ref"])[1]
            if fragment.startswith("/") and resolve_pointer(self.document, fragment) is not MISSING:
                return tuple(split_pointer(fragment))
        return parts

    @cached_property
    def objects(self) -> list[tuple[tuple, dict]]:
        return list(iter_objects(self.document))

    @cached_property
    def ref_targets(self) -> list[tuple]:
        """The path parts every local ``$ref`` (and discriminator mapping) of the document points at."""
        refs = [ref for _, node in self.objects if isinstance(ref := node.get("$ref"), str)]
        for _, node in self.objects:
            mapping = node.get("mapping") if "propertyName" in node else None
            if isinstance(mapping, dict):
                refs += [value for value in mapping.values() if isinstance(value, str)]
        targets = []
        for ref in refs:
            if ref_kind(ref) == "local":
                try:
                    targets.append(tuple(split_pointer(split_ref(ref)[1])))
                except ValueError:
                    continue
        return targets

    @cached_property
    def schemas(self) -> list[tuple[tuple, dict]]:
        """Every Schema Object (and sub-schema) written in the document, ``$ref`` holders included."""
        return [(parts, node) for parts, node in self.objects if in_schema(parts)]

    @cached_property
    def operations(self) -> list[Op]:
        found: list[Op] = []
        paths = self.get("paths")
        if not isinstance(paths, dict):
            return found
        methods = (*METHODS, "query") if self.version == "3.2" else METHODS
        for path, raw in paths.items():
            item = self.deref(raw)
            if not isinstance(item, dict) or str(path).startswith("x-"):
                continue
            base = self.target_parts(raw, ("paths", path))
            for method in methods:
                operation = item.get(method)
                if isinstance(operation, dict):
                    found.append(Op((*base, method), str(path), method, operation, item))
        return found

    def parameters(self, op: Op) -> list[tuple[tuple, dict]]:
        """The operation's parameters with the path item's merged in (the operation's win), resolved."""
        merged: dict[tuple, tuple[tuple, dict]] = {}
        sources = ((op.parts[:-1], op.path_item.get("parameters")), (op.parts, op.operation.get("parameters")))
        for base, params in sources:
            for index, raw in enumerate(params if isinstance(params, list) else ()):
                param = self.deref(raw)
                if isinstance(param, dict) and isinstance(param.get("name"), str) and isinstance(param.get("in"), str):
                    parts = self.target_parts(raw, (*base, "parameters", index))
                    merged[(param["name"], param.get("in"))] = (parts, param)
        return list(merged.values())

    def security_requirements(self) -> Iterator[tuple[tuple, dict]]:
        """Every security requirement object: the document's and each operation's."""
        for index, requirement in enumerate(self.sequence("security")):
            if isinstance(requirement, dict):
                yield ("security", index), requirement
        for op in self.operations:
            security = op.operation.get("security")
            for index, requirement in enumerate(security if isinstance(security, list) else ()):
                if isinstance(requirement, dict):
                    yield (*op.parts, "security", index), requirement
