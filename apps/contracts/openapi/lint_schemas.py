"""Lint rules about schemas, examples, parameters' documentation and reusable components.

This module owns the ``spectral:oas`` rules that look inside Schema Objects (enums, arrays,
``$ref`` siblings, 2.0's missing ``anyOf``/``oneOf``), check examples and defaults against their
schema with jsonschema (openapi-schema-validator's OAS dialects; ``$ref``s resolve inside the
document only — the registry has no retriever, so nothing is ever fetched), and find components
nothing references.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, OAS31Validator, OAS32Validator

from .lint_base import V2, V3, Context, rule
from .refs import in_schema

_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "array": (list,),
          "object": (dict,), "null": (type(None),)}
_COMPONENT_SECTIONS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers", "links",
                       "callbacks")
# 2.0 parameter fields that are not schema keywords (``required: true`` would break a JSON Schema).
_PARAM_ONLY = frozenset({"name", "in", "required", "description", "allowEmptyValue", "collectionFormat", "x-example"})


def _matches(value: Any, kind: str) -> bool:
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(kind, (object,)))


@rule("typed-enum", "warn", "Enum values must respect the specified type.")
def typed_enum(ctx: Context):
    for parts, node in ctx.objects:
        enum, kind = node.get("enum"), node.get("type")
        if not isinstance(enum, list) or not isinstance(kind, (str, list)):
            continue
        kinds = [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)]
        if node.get("nullable") is True or node.get("x-nullable") is True:
            kinds.append("null")
        for index, value in enumerate(enum):
            if not any(_matches(value, k) for k in kinds):
                yield (*parts, "enum", index), f"enum value {value!r} is not of type {'|'.join(kinds)}"


@rule("duplicated-entry-in-enum", "warn", "Enum values must not have duplicate entry.")
def duplicated_entry_in_enum(ctx: Context):
    for parts, node in ctx.objects:
        enum = node.get("enum")
        if not isinstance(enum, list):
            continue
        seen: set[str] = set()
        for index, value in enumerate(enum):
            key = json.dumps(value, sort_keys=True, default=str)
            if key in seen:
                yield (*parts, "enum", index), f"enum value {value!r} is repeated"
            seen.add(key)


@rule("array-items", "error", 'Schemas with "type: array", require a sibling "items" field.')
def array_items(ctx: Context):
    for parts, node in ctx.objects:
        kind = node.get("type")
        if (kind == "array" or isinstance(kind, list) and "array" in kind) and "items" not in node:
            yield parts, 'a schema with "type: array" has no "items"'


@rule("no-$ref-siblings", "error", "Property must not be placed among $ref.", formats=frozenset({"2.0", "3.0"}))
def no_ref_siblings(ctx: Context):
    for parts, node in ctx.objects:
        if isinstance(node.get("$ref"), str):
            for key in node:
                if key != "$ref":
                    yield (*parts, key), f"{key!r} next to $ref is ignored (before OpenAPI 3.1)"


@rule("oas2-anyOf", "warn", "anyOf is not available in OpenAPI v2, it was added in OpenAPI v3.", formats=V2)
def oas2_any_of(ctx: Context):
    for parts, node in ctx.objects:
        if "anyOf" in node:
            yield (*parts, "anyOf"), '"anyOf" keyword must not be used in OpenAPI v2 document'


@rule("oas2-oneOf", "warn", "oneOf is not available in OpenAPI v2, it was added in OpenAPI v3.", formats=V2)
def oas2_one_of(ctx: Context):
    for parts, node in ctx.objects:
        if "oneOf" in node:
            yield (*parts, "oneOf"), '"oneOf" keyword must not be used in OpenAPI v2 document'


@rule("oas2-discriminator", "error", "discriminator property must be defined and required.", formats=V2)
def oas2_discriminator(ctx: Context):
    for name, schema in ctx.mapping("definitions").items():
        if not isinstance(schema, dict) or "discriminator" not in schema:
            continue
        prop = schema["discriminator"]
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if not isinstance(prop, str) or prop not in properties:
            yield ("definitions", name, "discriminator"), f"discriminator {prop!r} is not a property of {name!r}"
        elif prop not in (schema.get("required") or []):
            yield ("definitions", name, "discriminator"), f"discriminator {prop!r} must be required in {name!r}"


def _used(ctx: Context, prefix: tuple) -> set:
    """Names under ``prefix`` (e.g. components/schemas) that some local ``$ref`` or mapping points into."""
    size = len(prefix)
    return {parts[size] for parts in ctx.ref_targets if parts[:size] == prefix and len(parts) > size}


@rule("oas3-unused-component", "warn", "Potentially unused component has been detected.", formats=V3)
def oas3_unused_component(ctx: Context):
    components = ctx.get("components")
    for section in _COMPONENT_SECTIONS if isinstance(components, dict) else ():
        entries = components.get(section)
        if isinstance(entries, dict) and entries:
            used = _used(ctx, ("components", section))
            for name in entries:
                if name not in used:
                    yield ("components", section, name), f"components/{section}/{name} is never referenced"


@rule("oas2-unused-definition", "warn", "Potentially unused definition has been detected.", formats=V2)
def oas2_unused_definition(ctx: Context):
    definitions = ctx.get("definitions")
    if isinstance(definitions, dict) and definitions:
        used = _used(ctx, ("definitions",))
        for name in definitions:
            if name not in used:
                yield ("definitions", name), f"definitions/{name} is never referenced"


class _Examples:
    """Validates values against schemas of the document (refs resolve inside it; nothing fetched)."""

    def __init__(self, ctx: Context):
        cls = {"3.1": OAS31Validator, "3.2": OAS32Validator}.get(ctx.version or "", OAS30Validator)
        self.root = cls(ctx.document)  # the document is the root resource: "#/components/..." resolves

    def problem(self, schema: Any, value: Any) -> str | None:
        if not isinstance(schema, (dict, bool)):
            return None
        try:
            error = best_match(self.root.evolve(schema=schema).iter_errors(value))
        except Exception:  # noqa: BLE001 - an unresolvable or malformed schema is the validator's business
            return None
        if error is None:
            return None
        where = "".join(f"[{part!r}]" for part in error.absolute_path)
        return f"{where + ': ' if where else ''}{error.message}"


def _check(examples: _Examples, schema: Any, value: Any, parts: tuple, what: str):
    problem = examples.problem(schema, value)
    if problem:
        yield parts, f"{what} does not match its schema: {problem[:300]}"


@rule("oas3-valid-schema-example", "error", "Examples must be valid against their defined schema.", formats=V3)
def oas3_valid_schema_example(ctx: Context):
    examples = _Examples(ctx)
    for parts, node in ctx.schemas:
        if not any(key in node for key in ("enum", "type", "format", "$ref", "properties", "items")):
            continue
        for key in ("example", "default"):
            if key in node:
                yield from _check(examples, node, node[key], (*parts, key), f"the schema's {key}")


@rule("oas3-valid-media-example", "error", "Examples must be valid against their defined schema.", formats=V3)
def oas3_valid_media_example(ctx: Context):
    examples = _Examples(ctx)
    for parts, node in ctx.objects:
        if "schema" not in node or in_schema(parts):
            continue
        schema = node["schema"]
        if "example" in node:
            yield from _check(examples, schema, node["example"], (*parts, "example"), "the example")
        named = node.get("examples")
        for name, raw in (named.items() if isinstance(named, dict) else ()):
            example = ctx.deref(raw)
            if isinstance(example, dict) and "value" in example:
                at = ctx.target_parts(raw, (*parts, "examples", name))
                yield from _check(examples, schema, example["value"], (*at, "value"), f"example {name!r}")


@rule("oas2-valid-schema-example", "error", "Examples must be valid against their defined schema.", formats=V2)
def oas2_valid_schema_example(ctx: Context):
    examples = _Examples(ctx)
    for parts, node in ctx.objects:
        is_param = len(parts) >= 2 and parts[-2] == "parameters" and "in" in node
        if not (in_schema(parts) or is_param):
            continue
        if not any(key in node for key in ("enum", "type", "format", "$ref", "properties", "items")):
            continue
        schema = {k: v for k, v in node.items() if k not in _PARAM_ONLY} if is_param else node
        for key in ("example", "x-example", "default"):
            if key in node:
                yield from _check(examples, schema, node[key], (*parts, key), f"the {key}")


@rule("oas2-valid-media-example", "error", "Examples must be valid against their defined schema.", formats=V2)
def oas2_valid_media_example(ctx: Context):
    examples = _Examples(ctx)
    for parts, node in ctx.objects:
        if len(parts) < 2 or parts[-2] != "responses" or "schema" not in node:
            continue
        for mime, value in (node["examples"].items() if isinstance(node.get("examples"), dict) else ()):
            yield from _check(examples, node["schema"], value, (*parts, "examples", mime), f"the {mime} example")


@rule("oas3-examples-value-or-externalValue", "warn", 'Examples must have either "value" or "externalValue" field.',
      formats=V3)
def oas3_examples_value_or_external(ctx: Context):
    for parts, node in ctx.objects:
        is_example = len(parts) >= 2 and parts[-2] == "examples" and "$ref" not in node and not in_schema(parts)
        if is_example and ("value" in node) == ("externalValue" in node):
            yield parts, 'an example must have exactly one of "value" and "externalValue"'


def _all_parameters(ctx: Context):
    seen: set[int] = set()
    for op in ctx.operations:
        for parts, param in ctx.parameters(op):
            if id(param) not in seen:
                seen.add(id(param))
                yield parts, param
    section = ("parameters",) if ctx.version == "2.0" else ("components", "parameters")
    for name, param in ctx.mapping(*section).items():
        if isinstance(param, dict) and "in" in param and id(param) not in seen:
            seen.add(id(param))
            yield (*section, name), param


@rule("oas3-parameter-description", "info", 'Parameter objects must have "description".', formats=V3,
      recommended=False)
def oas3_parameter_description(ctx: Context):
    for parts, param in _all_parameters(ctx):
        if not param.get("description"):
            yield parts, f"parameter {param.get('name')!r} has no description"


@rule("oas2-parameter-description", "info", 'Parameter objects must have "description".', formats=V2,
      recommended=False)
def oas2_parameter_description(ctx: Context):
    for parts, param in _all_parameters(ctx):
        if not param.get("description"):
            yield parts, f"parameter {param.get('name')!r} has no description"
