"""Rewrite a Swagger 2.0 document into the OpenAPI 3.0 shapes the diff engine compares.

body / formData parameters become a requestBody, ``consumes`` / ``produces`` become media types, ``definitions``
become ``components.schemas`` (and every ``$ref`` follows), ``securityDefinitions`` become
``components.securitySchemes``. Only what the diff reads is converted; the input is never modified.
"""

from __future__ import annotations

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
)
_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
)
_FLOWS = {"implicit": "implicit", "password": "password", "application": "clientCredentials"}
_FLOWS["accessCode"] = "authorizationCode"


def _rewrite_refs(node):
    """A deep copy with 2.0 reference targets moved to their 3.0 places and x-nullable as nullable."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                for old, new in _REF_PREFIXES:
                    if value.startswith(old):
                        value = new + value[len(old) :]
                        break
                out[key] = value
            elif key == "x-nullable":
                out["nullable"] = bool(value)
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _param_schema(param: dict) -> dict:
    schema = {key: param[key] for key in _SCHEMA_KEYS if key in param}
    if schema.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    if param.get("nullable"):
        schema["nullable"] = True
    return schema


def _convert_param(param: dict) -> dict:
    out = {key: param[key] for key in ("name", "in", "description", "required", "deprecated") if key in param}
    out.update({key: value for key, value in param.items() if isinstance(key, str) and key.startswith("x-")})
    if param.get("in") == "path":
        out["required"] = True
    out["schema"] = _param_schema(param)
    return out


def _convert_response(response, produces: list[str]):
    if not isinstance(response, dict) or "$ref" in response:
        return response
    out = {key: value for key, value in response.items() if key not in ("schema", "headers", "examples")}
    headers = response.get("headers")
    if isinstance(headers, dict):
        out["headers"] = {
            name: {"description": header.get("description", ""), "schema": _param_schema(header)}
            if isinstance(header, dict)
            else header
            for name, header in headers.items()
        }
    if "schema" in response:
        out["content"] = {media_type: {"schema": response["schema"]} for media_type in produces}
    return out


def _body_from_params(params: list[dict], consumes: list[str]) -> dict | None:
    body = next((param for param in params if param.get("in") == "body"), None)
    if body is not None:
        out = {"required": bool(body.get("required", False)), "content": {}}
        if "description" in body:
            out["description"] = body["description"]
        for media_type in consumes:
            out["content"][media_type] = {"schema": body.get("schema", {})}
        return out
    form = [param for param in params if param.get("in") == "formData"]
    if not form:
        return None
    schema: dict = {"type": "object", "properties": {}}
    required = []
    for param in form:
        schema["properties"][param.get("name", "")] = _param_schema(param)
        if param.get("required"):
            required.append(param.get("name", ""))
    if required:
        schema["required"] = required
    form_types = [mt for mt in consumes if mt in ("multipart/form-data", "application/x-www-form-urlencoded")]
    if not form_types:
        has_file = any(param.get("type") == "file" for param in form)
        form_types = ["multipart/form-data" if has_file else "application/x-www-form-urlencoded"]
    return {"required": bool(required), "content": {mt: {"schema": schema} for mt in form_types}}


def swagger2_to_openapi3(raw: dict) -> dict:
    doc = _rewrite_refs(raw)
    produces = doc.get("produces") or ["application/json"]
    consumes = doc.get("consumes") or ["application/json"]
    shared_params = doc.get("parameters") if isinstance(doc.get("parameters"), dict) else {}

    def resolve_param(param):
        if isinstance(param, dict) and isinstance(param.get("$ref"), str):
            name = param["$ref"].rsplit("/", 1)[-1]
            target = shared_params.get(name)
            return target if isinstance(target, dict) else {}
        return param if isinstance(param, dict) else {}

    def convert_params(raw_params) -> tuple[list, list[dict]]:
        kept, bodies = [], []
        for param in raw_params if isinstance(raw_params, list) else []:
            resolved = resolve_param(param)
            if resolved.get("in") in ("body", "formData"):
                bodies.append(resolved)
            elif isinstance(param, dict) and "$ref" in param:
                kept.append(param)
            else:
                kept.append(_convert_param(resolved))
        return kept, bodies

    out: dict = {"openapi": "3.0.0"}
    for key in ("info", "tags", "security", "externalDocs"):
        if key in doc:
            out[key] = doc[key]
    out.update({key: value for key, value in doc.items() if isinstance(key, str) and key.startswith("x-")})

    paths_out: dict = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        path_params, path_bodies = convert_params(item.get("parameters"))
        item_out = {key: value for key, value in item.items() if key not in METHODS and key != "parameters"}
        if path_params:
            item_out["parameters"] = path_params
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_out = {key: value for key, value in op.items() if key not in ("parameters", "responses", "consumes")}
            op_out.pop("produces", None)
            params, bodies = convert_params(op.get("parameters"))
            if params:
                op_out["parameters"] = params
            body = _body_from_params(bodies or path_bodies, op.get("consumes") or consumes)
            if body is not None:
                op_out["requestBody"] = body
            op_produces = op.get("produces") or produces
            responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
            op_out["responses"] = {
                str(status): _convert_response(response, op_produces) for status, response in responses.items()
            }
            item_out[method] = op_out
        paths_out[path] = item_out
    out["paths"] = paths_out

    components: dict = {}
    if isinstance(doc.get("definitions"), dict):
        components["schemas"] = doc["definitions"]
    if shared_params:
        components["parameters"] = {
            name: _convert_param(param)
            for name, param in shared_params.items()
            if isinstance(param, dict) and param.get("in") not in ("body", "formData")
        }
    if isinstance(doc.get("responses"), dict):
        components["responses"] = {
            name: _convert_response(response, produces) for name, response in doc["responses"].items()
        }
    if isinstance(doc.get("securityDefinitions"), dict):
        components["securitySchemes"] = {
            name: _convert_security_scheme(scheme) for name, scheme in doc["securityDefinitions"].items()
        }
    out["components"] = components
    return out


def _convert_security_scheme(scheme) -> dict:
    if not isinstance(scheme, dict):
        return {}
    kind = scheme.get("type")
    if kind == "basic":
        return {"type": "http", "scheme": "basic"}
    if kind == "oauth2":
        flow = {key: scheme[key] for key in ("authorizationUrl", "tokenUrl") if key in scheme}
        flow["scopes"] = scheme.get("scopes") or {}
        return {"type": "oauth2", "flows": {_FLOWS.get(scheme.get("flow", ""), "implicit"): flow}}
    return {key: value for key, value in scheme.items() if key in ("type", "name", "in", "description")}
