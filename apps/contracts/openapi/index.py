"""The operation and schema index of an OpenAPI 2.0 / 3.0 / 3.1 / 3.2 document.

This module owns what the app lists about a contract: one ``Operation`` per method of each path
(and of each webhook, flagged), with path-level parameters merged in and locally ``$ref``'d
parameters, request bodies and responses resolved; and one ``SchemaInfo`` per named schema
(``components/schemas`` or 2.0 ``definitions``). It never raises on a document that failed
validation: whatever can't be read is left out or empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .refs import MISSING, join_pointer, ref_kind, resolve_pointer, split_ref

__all__ = ["Operation", "Parameter", "Response", "SchemaInfo", "index_operations", "list_schemas", "METHODS"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # the parameter's "in": path, query, header, cookie, body, formData
    required: bool
    schema_type: str | None


@dataclass(frozen=True)
class Response:
    code: str
    media_types: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str | None
    summary: str
    description: str
    tags: tuple[str, ...]
    deprecated: bool
    parameters: tuple[Parameter, ...]
    request_media_types: tuple[str, ...]
    responses: tuple[Response, ...]
    security: tuple[str, ...]  # names of the security schemes any requirement uses
    pointer: str  # JSON pointer of the operation object
    webhook: bool = False


@dataclass(frozen=True)
class SchemaInfo:
    name: str
    type: str | None
    property_count: int
    description: str
    pointer: str


def deref(document: Any, node: Any, hops: int = 20) -> Any:
    """Follow local ``$ref``s (a bounded number of hops, so cycles end); non-local ones stay as they are."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops > 0:
        ref = node["$ref"]
        if ref_kind(ref) != "local":
            return node
        target = resolve_pointer(document, split_ref(ref)[1])
        if target is MISSING:
            return node
        node, hops = target, hops - 1
    return node


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def schema_type(document: Any, schema: Any) -> str | None:
    """A schema's type for display: ``string``, ``string|null`` (3.1 lists), ``object`` when it has
    properties, ``array`` when it has items, else its composition keyword (``allOf``...)."""
    schema = deref(document, schema)
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list) and all(isinstance(item, str) for item in kind):
        return "|".join(kind)
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return next((key for key in ("allOf", "oneOf", "anyOf") if key in schema), None)


def _param_type(document: Any, param: dict, v2: bool) -> str | None:
    if v2 and param.get("in") != "body":
        return param.get("type") if isinstance(param.get("type"), str) else None
    if "schema" in param:
        return schema_type(document, param["schema"])
    content = param.get("content")
    if isinstance(content, dict):
        for media in content.values():
            if isinstance(media, dict) and "schema" in media:
                return schema_type(document, media["schema"])
    return None


def _parameters(document: Any, path_item: dict, operation: dict, v2: bool) -> tuple[Parameter, ...]:
    merged: dict[tuple, dict] = {}
    for source in (path_item.get("parameters"), operation.get("parameters")):
        if not isinstance(source, list):
            continue
        for raw in source:
            param = deref(document, raw)
            if isinstance(param, dict) and isinstance(param.get("name"), str) and isinstance(param.get("in"), str):
                merged[(param["name"], param["in"])] = param  # the operation's own overrides the path's
    # A path parameter is always required (the spec says it must be declared so).
    return tuple(Parameter(p["name"], p["in"], p.get("required") is True or p["in"] == "path",
                           _param_type(document, p, v2)) for p in merged.values())


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _request_media(document: Any, operation: dict, params: tuple[Parameter, ...], v2: bool) -> tuple[str, ...]:
    if v2:
        if not any(p.location in ("body", "formData") for p in params):
            return ()
        consumes = operation.get("consumes", document.get("consumes"))
        return tuple(_strings(consumes))
    body = deref(document, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    return tuple(key for key in content if isinstance(key, str)) if isinstance(content, dict) else ()


def _responses(document: Any, operation: dict, v2: bool) -> tuple[Response, ...]:
    responses = operation.get("responses")
    if not isinstance(responses, dict):
        return ()
    found = []
    for code, raw in responses.items():
        if str(code).startswith("x-"):
            continue
        response = deref(document, raw)
        if not isinstance(response, dict):
            found.append(Response(str(code), ()))
        elif v2:
            produces = operation.get("produces", document.get("produces"))
            found.append(Response(str(code), tuple(_strings(produces)) if "schema" in response else ()))
        else:
            content = response.get("content")
            found.append(Response(str(code), tuple(content) if isinstance(content, dict) else ()))
    return tuple(found)


def _security(document: Any, operation: dict) -> tuple[str, ...]:
    requirements = operation.get("security", document.get("security"))
    names: dict[str, None] = {}
    for requirement in requirements if isinstance(requirements, list) else ():
        if isinstance(requirement, dict):
            names.update(dict.fromkeys(key for key in requirement if isinstance(key, str)))
    return tuple(names)


def _operations_of(document: Any, container: Any, section: str, v2: bool, methods: tuple) -> list[Operation]:
    found: list[Operation] = []
    if not isinstance(container, dict):
        return found
    for path, raw_item in container.items():
        item = deref(document, raw_item)
        if not isinstance(item, dict) or str(path).startswith("x-"):
            continue
        candidates = [(method, (section, path, method), item.get(method)) for method in methods]
        extra = item.get("additionalOperations")
        if "query" in methods and isinstance(extra, dict):  # 3.2: custom methods
            candidates += [(name, (section, path, "additionalOperations", name), op) for name, op in extra.items()]
        for method, parts, operation in candidates:
            if not isinstance(operation, dict):
                continue
            params = _parameters(document, item, operation, v2)
            operation_id = operation.get("operationId")
            found.append(Operation(
                method=str(method), path=str(path),
                operation_id=operation_id if isinstance(operation_id, str) else None,
                summary=_text(operation.get("summary")), description=_text(operation.get("description")),
                tags=tuple(_strings(operation.get("tags"))), deprecated=operation.get("deprecated") is True,
                parameters=params, request_media_types=_request_media(document, operation, params, v2),
                responses=_responses(document, operation, v2), security=_security(document, operation),
                pointer=join_pointer(parts), webhook=section == "webhooks",
            ))
    return found


def index_operations(document: Any) -> list[Operation]:
    """Every operation of ``paths`` in document order, then those of ``webhooks`` (``webhook=True``)."""
    if not isinstance(document, dict):
        return []
    v2 = "swagger" in document and "openapi" not in document
    methods = METHODS + ("query",) if str(document.get("openapi", "")).startswith("3.2") else METHODS
    return (_operations_of(document, document.get("paths"), "paths", v2, methods)
            + _operations_of(document, document.get("webhooks"), "webhooks", v2, methods))


def list_schemas(document: Any) -> list[SchemaInfo]:
    """The named schemas: ``components/schemas`` (3.x) or ``definitions`` (2.0), in document order."""
    if not isinstance(document, dict):
        return []
    if "swagger" in document and "openapi" not in document:
        parts: tuple = ("definitions",)
        schemas = document.get("definitions")
    else:
        parts = ("components", "schemas")
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict):
        return []
    found = []
    for name, raw in schemas.items():
        schema = deref(document, raw)
        properties = schema.get("properties") if isinstance(schema, dict) else None
        description = schema.get("description") if isinstance(schema, dict) else None
        found.append(SchemaInfo(str(name), schema_type(document, schema),
                                len(properties) if isinstance(properties, dict) else 0,
                                _text(description), join_pointer((*parts, name))))
    return found
