"""Validating a loaded OpenAPI document: every problem, each with a JSON pointer and a line.

This module owns what "valid" means for the contracts app. Three layers, each run once:

1. Structure: the document against the official 2.0/3.0/3.1/3.2 JSON schema bundled with
   openapi-spec-validator. Its fast backend (jsonschema-rs) says yes or no in milliseconds; only an
   invalid document is validated again by Python jsonschema, whose errors carry the sub-errors of
   ``oneOf``/``anyOf`` needed to say *which* property is wrong rather than "not valid under any".
2. openapi-spec-validator's keyword checks (schema meta-validation, defaults against their schema,
   duplicate operationIds, path parameters, duplicate parameters, duplicate tags...), called
   directly — not through ``SpecValidator.iter_errors``, whose ``lru_cache`` on a method keeps every
   validated spec alive for the life of the process — with two changes: a ref resolver that never
   fetches anything (see ``_NoRemote``) and validators that remember where each error was found.
3. Our own checks in one walk (``checks.py``): ``$ref``s resolvable locally, circular-only chains,
   ``example`` with ``examples``, unknown Link Object fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema.validators import validator_for
from jsonschema_path import SchemaPath
from openapi_spec_validator import schemas as osv_schemas
from openapi_spec_validator.validation import exceptions as osv_errors
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation import validators as osv
from referencing.exceptions import Unresolvable

from .checks import semantic_issues
from .load import LoadedSpec
from .refs import MISSING, join_pointer, ref_kind, resolve_pointer, split_pointer, split_ref

__all__ = ["Issue", "validate_spec"]


@dataclass(frozen=True)
class Issue:
    """One validation problem. ``pointer`` is a JSON pointer into the document, ``line`` 1-based in
    ``file`` (the spec's file, or for a bundled zip the file the node came from)."""

    message: str
    pointer: str
    line: int | None
    severity: str = "error"
    rule: str = ""
    file: str = ""


class _NoRemote(dict):
    """Resolver handlers for jsonschema-path that claim every URI scheme and fetch nothing.

    jsonschema-path's retriever uses a handler when the scheme is in this mapping and otherwise
    falls back to ``requests``/``urlopen`` — so the mapping must contain *every* scheme (including
    "" for relative paths). A non-local ``$ref`` resolves to an empty schema; our own ref check has
    already reported it, and the keyword checks carry on instead of stopping at it.
    """

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str):
        return _nothing

    def get(self, scheme: str, default: Any = None):
        return _nothing


def _nothing(uri: str) -> dict:
    return {}


class _IdList(list):
    """A list with set-speed membership: osv's SchemaValidator keeps the ids of the schemas it has
    visited and meta-checked in lists and tests ``id in list`` for each schema — quadratic on a
    big spec (~0.25 s of Stripe's ~1.2 s). Same contents and semantics, O(1) ``in``."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set = set()

    def append(self, item: Any) -> None:
        self._members.add(item)
        super().append(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _located(cls: type) -> type:
    """A keyword validator that tags each error with where it was found (the first SchemaPath argument)."""

    class Located(cls):  # type: ignore[misc, valid-type]
        def __init__(self, registry: Any) -> None:
            super().__init__(registry)
            if isinstance(self, keywords.SchemaValidator):
                self.visited_schema_ids = _IdList()
                self.meta_checked_schema_ids = _IdList()

        def __call__(self, *args, **kwargs):
            where = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
            for error in super().__call__(*args, **kwargs):
                if where is not None and not hasattr(error, "threadline_at"):
                    parts = tuple(where.parts)
                    if issubclass(cls, keywords.ValueValidator):
                        parts += ("default",)  # the value checked is the schema's (or parameter's) default
                    error.threadline_at = parts + tuple(error.path)
                yield error

    Located.__name__ = Located.__qualname__ = cls.__name__
    return Located


@cache
def _spec_validator(version: str) -> type:
    base = {"2.0": osv.OpenAPIV2SpecValidator, "3.0": osv.OpenAPIV30SpecValidator,
            "3.1": osv.OpenAPIV31SpecValidator, "3.2": osv.OpenAPIV32SpecValidator}[version]
    located = {name: _located(cls) if name != "__root__" else cls for name, cls in base.keyword_validators.items()}
    attributes = {"keyword_validators": located, "resolver_handlers": _NoRemote()}
    return type(f"Threadline{base.__name__}", (base,), attributes)


_SCHEMAS = {"2.0": osv_schemas.schema_v2, "3.0": osv_schemas.schema_v30, "3.1": osv_schemas.schema_v31,
            "3.2": osv_schemas.schema_v32}
_FAST = {"2.0": osv_schemas.openapi_v2_schema_validator, "3.0": osv_schemas.openapi_v30_schema_validator,
         "3.1": osv_schemas.openapi_v31_schema_validator, "3.2": osv_schemas.openapi_v32_schema_validator}


@cache
def _detailed(version: str) -> Any:
    schema = dict(_SCHEMAS[version])
    return validator_for(schema)(schema)


_RULES = {
    osv_errors.DuplicateOperationIDError: "operation-id-unique",
    osv_errors.UnresolvableParameterError: "path-params",
    osv_errors.ParameterDuplicateError: "parameter-duplicate",
    osv_errors.ExtraParametersError: "schema-required-undefined",
}


def _short(value: Any) -> str:
    text = repr(value)
    if len(text) <= 60:
        return text
    if isinstance(value, dict):
        return "the object"
    if isinstance(value, list):
        return "the list"
    return text[:57] + "..."


def _message(error: Any) -> str:
    """jsonschema's message, without a huge repr of the instance."""
    message = error.message
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        message = _short(error.instance) + message[len(shown):]
    return message


def _deepest(error: Any) -> list:
    """The errors worth showing for a oneOf/anyOf failure: those of the alternative that got furthest.

    A Response that fails both "Response" (no description) and "Reference" (no $ref) is reported
    as "'description' is a required property", not "not valid under any of the given schemas".
    """
    if not error.context or error.validator not in ("oneOf", "anyOf"):
        return [error]
    branches: dict[Any, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else None, []).append(sub)
    # The "Reference Object" alternative fails with "'$ref' is a required property": not the author's intent.
    meaningful = [subs for subs in branches.values()
                  if not all(sub.validator == "required" and "'$ref'" in sub.message for sub in subs)]
    if len(meaningful) == 1:
        return [leaf for sub in meaningful[0] for leaf in _deepest(sub)]
    if all(sub.validator == "required" and not sub.relative_path for sub in error.context):
        return [error]  # "one of 'paths', 'components', 'webhooks' is required" — summarised by the caller
    best = max(meaningful or list(branches.values()), key=lambda subs: max(len(sub.path) for sub in subs))
    return [leaf for sub in best for leaf in _deepest(sub)]


def _structural(document: dict, version: str) -> list[tuple[str, str]]:
    if _FAST[version].is_valid(document):
        return []
    found: list[tuple[str, str]] = []
    for error in _detailed(version).iter_errors(document):
        for leaf in _deepest(error):
            pointer = join_pointer(leaf.absolute_path)
            if leaf.validator in ("oneOf", "anyOf") and leaf.context:
                names = sorted({sub.message.split("'")[1] for sub in leaf.context if sub.validator == "required"})
                message = ("one of " + ", ".join(f"'{name}'" for name in names) + " is required") if names \
                    else f"{_short(leaf.instance)} is not valid under any of the allowed forms"
            else:
                message = _message(leaf)
            if (message, pointer) not in found:
                found.append((message, pointer))
    return found


def _canonical(document: Any, parts: tuple) -> str:
    """The pointer of the node osv reached through ``parts``, following local $refs on the way
    (an error inside a referenced schema points at the schema, not at the ``$ref``)."""
    node, path = document, []
    for index, part in enumerate(parts):
        hops = 0
        while isinstance(node, dict) and part not in node and isinstance(node.get("$ref"), str) and hops < 20:
            ref = node["$ref"]
            fragment = split_ref(ref)[1]
            target = resolve_pointer(document, fragment) if ref_kind(ref) == "local" else MISSING
            if target is MISSING:
                break
            node, path, hops = target, split_pointer(fragment), hops + 1
        found = part in node if isinstance(node, dict) else isinstance(node, list) and isinstance(part, int) \
            and 0 <= part < len(node)
        if found:
            node = node[part]
        else:
            return join_pointer([*path, *parts[index:]])
        path.append(part)
    return join_pointer(path)


def _keyword_errors(document: dict, version: str, structural_ok: bool) -> list[tuple[str, str, str]]:
    validator = _spec_validator(version)(document)
    found: list[tuple[str, str, str]] = []
    try:
        for error in validator.root_validator(validator.schema_path):
            parts = getattr(error, "threadline_at", ())
            rule = next((rule for cls, rule in _RULES.items() if isinstance(error, cls)), "oas-semantic")
            found.append((error.message, _canonical(document, parts), rule))
    except Unresolvable:
        pass  # a local $ref to nowhere: already reported by the ref check, which runs on every ref
    except Exception as exc:  # noqa: BLE001 - osv assumes a structurally valid document
        if structural_ok:
            found.append((f"openapi-spec-validator stopped early: {type(exc).__name__}: {exc}", "", "oas-semantic"))
    return found


def validate_spec(loaded: LoadedSpec) -> list[Issue]:
    """Every problem of the document, structural first, each located by pointer and line."""
    document, version, lines = loaded.document, loaded.version, loaded.lines
    raw: list[tuple[str, str, str, str]] = []
    structural = _structural(document, version)
    raw.extend((message, pointer, "oas-schema", "error") for message, pointer in structural)
    raw.extend(semantic_issues(document, version, loaded.refused_refs))
    for message, pointer, rule in _keyword_errors(document, version, not structural):
        if (message, pointer) not in structural:  # a non-schema component is reported by both layers
            raw.append((message, pointer, rule, "warn" if message.startswith("openapi-spec-validator stopped")
                        else "error"))
    issues = []
    for message, pointer, rule, severity in raw:
        file, line = lines.locate(pointer)
        issues.append(Issue(message, pointer, line, severity, rule, file))
    return issues
