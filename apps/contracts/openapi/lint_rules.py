"""Lint rules about the document's shape: operations, paths, info, tags, servers, security.

This module owns the ``spectral:oas`` rules that read operations, paths and top-level objects
(ids, severities and descriptions follow Spectral's; the checks are re-implemented here). Rules
about schemas, examples and components are in ``lint_schemas.py``. Each rule yields ``(path parts,
message)``; the engine adds the severity, pointer and line.
"""

from __future__ import annotations

import re

from .lint_base import V2, V3, V31, Context, rule, strings

_URL_SAFE_ID = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*$")
_TEMPLATE = re.compile(r"{([^{}]*)}")
_SUCCESS = re.compile(r"^[23](\d\d|XX)$")


def _truthy(value) -> bool:
    return bool(value) and not (isinstance(value, str) and not value.strip())


@rule("operation-operationId", "warn", 'Operation must have "operationId".')
def operation_operation_id(ctx: Context):
    for op in ctx.operations:
        if not _truthy(op.operation.get("operationId")):
            yield op.parts, f"{op.method.upper()} {op.path} has no operationId"


@rule("operation-operationId-unique", "error", 'Every operation must have unique "operationId".')
def operation_operation_id_unique(ctx: Context):
    seen: dict[str, str] = {}
    for op in ctx.operations:
        operation_id = op.operation.get("operationId")
        if not isinstance(operation_id, str):
            continue
        if operation_id in seen:
            yield (*op.parts, "operationId"), f"operationId {operation_id!r} is already used by {seen[operation_id]}"
        else:
            seen[operation_id] = f"{op.method.upper()} {op.path}"


@rule("operation-operationId-valid-in-url", "warn",
      "operationId must not contain characters that are invalid when used in URL.")
def operation_operation_id_valid_in_url(ctx: Context):
    for op in ctx.operations:
        operation_id = op.operation.get("operationId")
        if isinstance(operation_id, str) and not _URL_SAFE_ID.match(operation_id):
            yield (*op.parts, "operationId"), f"operationId {operation_id!r} has characters not valid in a URL"


@rule("operation-description", "warn", 'Operation "description" must be present and non-empty string.')
def operation_description(ctx: Context):
    for op in ctx.operations:
        if not _truthy(op.operation.get("description")):
            yield op.parts, f"{op.method.upper()} {op.path} has no description"


@rule("operation-tags", "warn", 'Operation must have non-empty "tags" array.')
def operation_tags(ctx: Context):
    for op in ctx.operations:
        tags = op.operation.get("tags")
        if not isinstance(tags, list) or not tags:
            yield op.parts, f"{op.method.upper()} {op.path} has no tags"


@rule("operation-singular-tag", "info", "Operation must not have more than a single tag.", recommended=False)
def operation_singular_tag(ctx: Context):
    for op in ctx.operations:
        tags = op.operation.get("tags")
        if isinstance(tags, list) and len(tags) > 1:
            yield (*op.parts, "tags"), f"{op.method.upper()} {op.path} has {len(tags)} tags"


@rule("operation-tag-defined", "warn", "Operation tags must be defined in global tags.")
def operation_tag_defined(ctx: Context):
    defined = set(strings([tag.get("name") for tag in ctx.sequence("tags") if isinstance(tag, dict)]))
    for op in ctx.operations:
        for index, tag in enumerate(strings(op.operation.get("tags"))):
            if tag not in defined:
                yield (*op.parts, "tags", index), f"tag {tag!r} is not defined in the document's tags"


@rule("operation-success-response", "warn", 'Operation must have at least one "2xx" or "3xx" response.')
def operation_success_response(ctx: Context):
    for op in ctx.operations:
        responses = op.operation.get("responses")
        if not isinstance(responses, dict) or not any(_SUCCESS.match(str(code)) for code in responses):
            yield op.parts, f"{op.method.upper()} {op.path} has no 2xx or 3xx response"


@rule("operation-parameters", "warn", "Operation parameters are unique and non-repeating.")
def operation_parameters(ctx: Context):
    for op in ctx.operations:
        params = op.operation.get("parameters")
        seen: set = set()
        bodies = form = 0
        for index, raw in enumerate(params if isinstance(params, list) else ()):
            param = ctx.deref(raw)
            if not isinstance(param, dict):
                continue
            key = (repr(param.get("name")), repr(param.get("in")))
            if key in seen:
                yield (*op.parts, "parameters", index), (f"a parameter of this operation already has name {key[0]} "
                                                         f"and in {key[1]}")
            seen.add(key)
            bodies += param.get("in") == "body"
            form += param.get("in") == "formData"
            if param.get("in") == "body" and bodies == 2:
                yield (*op.parts, "parameters", index), "operation has more than one 'in: body' parameter"
        if bodies and form:
            yield (*op.parts, "parameters"), "operation has both 'in: body' and 'in: formData' parameters"


@rule("path-params", "error", "Path parameters must be defined and valid.")
def path_params(ctx: Context):
    normalised: dict[str, str] = {}
    paths = ctx.get("paths")
    for path in paths if isinstance(paths, dict) else ():
        path = str(path)
        names = _TEMPLATE.findall(path)
        shape = _TEMPLATE.sub("{}", path)
        if shape in normalised and names:
            yield ("paths", path), f"path {path!r} is equivalent to {normalised[shape]!r}"
        normalised.setdefault(shape, path)
        for name in {name for name in names if names.count(name) > 1}:
            yield ("paths", path), f"path {path!r} uses the parameter {{{name}}} more than once"
    for op in ctx.operations:
        template = set(_TEMPLATE.findall(op.path))
        declared = set()
        for parts, param in ctx.parameters(op):
            if param.get("in") != "path":
                continue
            declared.add(param["name"])
            if param.get("required") is not True:
                yield parts, f"path parameter {param['name']!r} must have 'required: true'"
            if param["name"] not in template:
                name = param["name"]
                yield parts, f"path parameter {name!r} is declared but {op.path!r} has no {{{name}}}"
        for name in sorted(template - declared):
            if name:
                yield op.parts, f"{op.method.upper()} {op.path}: path parameter {{{name}}} is not declared"


@rule("path-declarations-must-exist", "warn", 'Path parameter declarations must not be empty, ex."/given/{}".')
def path_declarations_must_exist(ctx: Context):
    for path in ctx.mapping("paths"):
        if "{}" in str(path):
            yield ("paths", path), f"path {path!r} has an empty parameter declaration {{}}"


@rule("path-keys-no-trailing-slash", "warn", "Path must not end with slash.")
def path_keys_no_trailing_slash(ctx: Context):
    for path in ctx.mapping("paths"):
        if len(str(path)) > 1 and str(path).endswith("/"):
            yield ("paths", path), f"path {path!r} ends with a slash"


@rule("path-not-include-query", "warn", "Path must not include query string.")
def path_not_include_query(ctx: Context):
    for path in ctx.mapping("paths"):
        if "?" in str(path):
            yield ("paths", path), f"path {path!r} includes a query string"


def _markdown(ctx: Context, needle: re.Pattern, what: str):
    for parts, node in ctx.objects:
        for key in ("description", "title"):
            value = node.get(key)
            if isinstance(value, str) and needle.search(value):
                yield (*parts, key), f"{key} contains {what}"


@rule("no-eval-in-markdown", "warn", 'Markdown descriptions must not have "eval(".')
def no_eval_in_markdown(ctx: Context):
    yield from _markdown(ctx, re.compile(r"eval\("), '"eval("')


@rule("no-script-tags-in-markdown", "warn", 'Markdown descriptions must not have "<script>" tags.')
def no_script_tags_in_markdown(ctx: Context):
    yield from _markdown(ctx, re.compile(r"<script", re.IGNORECASE), "a <script> tag")


@rule("info-contact", "warn", 'Info object must have "contact" object.')
def info_contact(ctx: Context):
    if not _truthy(ctx.get("info", "contact")):
        yield ("info",), "info has no contact"


@rule("info-description", "warn", 'Info "description" must be present and non-empty string.')
def info_description(ctx: Context):
    if not _truthy(ctx.get("info", "description")):
        yield ("info",), "info has no description"


@rule("info-license", "info", 'Info object must have "license" object.', recommended=False)
def info_license(ctx: Context):
    if not _truthy(ctx.get("info", "license")):
        yield ("info",), "info has no license"


@rule("license-url", "info", 'License object must include "url".', recommended=False)
def license_url(ctx: Context):
    license_ = ctx.get("info", "license")
    if isinstance(license_, dict) and not _truthy(license_.get("url")):
        yield ("info", "license"), "the license has no url"


@rule("contact-properties", "info", 'Contact object must have "name", "url" and "email".', recommended=False)
def contact_properties(ctx: Context):
    contact = ctx.get("info", "contact")
    if isinstance(contact, dict):
        for key in ("name", "url", "email"):
            if not _truthy(contact.get(key)):
                yield ("info", "contact"), f"the contact has no {key}"


@rule("openapi-tags", "info", 'OpenAPI object must have non-empty "tags" array.', recommended=False)
def openapi_tags(ctx: Context):
    tags = ctx.get("tags")
    if not isinstance(tags, list) or not tags:
        yield (), "the document has no tags"


@rule("openapi-tags-alphabetical", "info", 'OpenAPI object must have alphabetical "tags".', recommended=False)
def openapi_tags_alphabetical(ctx: Context):
    tags = ctx.get("tags")
    names = [tag.get("name") for tag in tags if isinstance(tag, dict)] if isinstance(tags, list) else []
    for index in range(1, len(names)):
        if isinstance(names[index], str) and isinstance(names[index - 1], str) and names[index] < names[index - 1]:
            yield ("tags", index), f"tag {names[index]!r} should come before {names[index - 1]!r}"
            return


@rule("openapi-tags-uniqueness", "error", "Each tag must have a unique name.")
def openapi_tags_uniqueness(ctx: Context):
    seen: set = set()
    for index, tag in enumerate(ctx.sequence("tags")):
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield ("tags", index, "name"), f"tag {name!r} is defined more than once"
        seen.add(name)


@rule("tag-description", "info", 'Tag object must have "description".', recommended=False)
def tag_description(ctx: Context):
    for index, tag in enumerate(ctx.sequence("tags")):
        if isinstance(tag, dict) and not _truthy(tag.get("description")):
            yield ("tags", index), f"tag {tag.get('name')!r} has no description"


@rule("oas3-api-servers", "warn", 'OpenAPI "servers" must be present and non-empty array.', formats=V3)
def oas3_api_servers(ctx: Context):
    servers = ctx.get("servers")
    if not isinstance(servers, list) or not servers or not all(isinstance(s, dict) for s in servers):
        yield (), "the document has no servers"


def _servers(ctx: Context):
    places = [((), ctx.document)]
    for op in ctx.operations:
        places += [(op.parts[:-1], op.path_item), (op.parts, op.operation)]
    seen: set = set()
    for parts, holder in places:
        servers = holder.get("servers")
        if isinstance(servers, list) and id(servers) not in seen:
            seen.add(id(servers))
            for index, server in enumerate(servers):
                if isinstance(server, dict):
                    yield (*parts, "servers", index), server


@rule("oas3-server-trailing-slash", "warn", "Server URL must not have trailing slash.", formats=V3)
def oas3_server_trailing_slash(ctx: Context):
    for parts, server in _servers(ctx):
        url = server.get("url")
        if isinstance(url, str) and len(url) > 1 and url.endswith("/"):
            yield (*parts, "url"), f"server url {url!r} ends with a slash"


@rule("oas3-server-not-example.com", "info", "Server URL must not point at example.com.", formats=V3,
      recommended=False)
def oas3_server_not_example(ctx: Context):
    for parts, server in _servers(ctx):
        if "example.com" in str(server.get("url", "")):
            yield (*parts, "url"), f"server url {server.get('url')!r} points at example.com"


@rule("oas3-server-variables", "error",
      "Server variables must be defined and valid and there must be no unused variables.", formats=V3)
def oas3_server_variables(ctx: Context):
    for parts, server in _servers(ctx):
        url = server.get("url")
        used = set(_TEMPLATE.findall(url)) if isinstance(url, str) else set()
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
        for name in sorted(used - set(variables)):
            yield (*parts, "url"), f"server url uses {{{name}}} but it has no such variable"
        for name, variable in variables.items():
            if name not in used:
                yield (*parts, "variables", name), f"server variable {name!r} is not used in the url"
            if isinstance(variable, dict) and "default" not in variable:
                yield (*parts, "variables", name), f"server variable {name!r} has no default"
            enum = variable.get("enum") if isinstance(variable, dict) else None
            if isinstance(enum, list) and "default" in variable and variable["default"] not in enum:
                yield (*parts, "variables", name, "default"), f"the default of {name!r} is not one of its enum values"


@rule("oas2-api-host", "warn", 'OpenAPI "host" must be present and non-empty string.', formats=V2)
def oas2_api_host(ctx: Context):
    if not _truthy(ctx.get("host")):
        yield (), "the document has no host"


@rule("oas2-api-schemes", "warn", 'OpenAPI host "schemes" must be present and non-empty array.', formats=V2)
def oas2_api_schemes(ctx: Context):
    schemes = ctx.get("schemes")
    if not isinstance(schemes, list) or not schemes or not all(isinstance(s, str) for s in schemes):
        yield (), "the document has no schemes"


@rule("oas2-host-trailing-slash", "warn", "Server URL must not have trailing slash.", formats=V2)
def oas2_host_trailing_slash(ctx: Context):
    host = ctx.get("host")
    if isinstance(host, str) and host.endswith("/"):
        yield ("host",), f"host {host!r} ends with a slash"


@rule("oas2-operation-formData-consume-check", "warn", 'Operations with "in: formData" parameter must include '
      '"application/x-www-form-urlencoded" or "multipart/form-data" in their "consumes" property.', formats=V2)
def oas2_form_data_consume_check(ctx: Context):
    for op in ctx.operations:
        if any(param.get("in") == "formData" for _, param in ctx.parameters(op)):
            consumes = strings(op.operation.get("consumes", ctx.get("consumes")))
            if not {"application/x-www-form-urlencoded", "multipart/form-data"} & set(consumes):
                yield op.parts, f"{op.method.upper()} {op.path} has formData parameters but consumes no form type"


def _security_defined(ctx: Context, schemes):
    schemes = schemes if isinstance(schemes, dict) else {}
    for parts, requirement in ctx.security_requirements():
        for name, scopes in requirement.items():
            scheme = schemes.get(name)
            if scheme is None:
                yield (*parts, name), f"security scheme {name!r} is not defined"
                continue
            scheme = ctx.deref(scheme)
            if isinstance(scheme, dict) and scheme.get("type") == "oauth2" and isinstance(scopes, list):
                flows = scheme.get("flows") if isinstance(scheme.get("flows"), dict) else {"": scheme}
                known = {scope for flow in flows.values() if isinstance(flow, dict)
                         for scope in (flow["scopes"] if isinstance(flow.get("scopes"), dict) else ())}
                for index, scope in enumerate(scopes):
                    if isinstance(scope, str) and scope not in known:
                        yield (*parts, name, index), f"scope {scope!r} is not defined by security scheme {name!r}"


@rule("oas3-operation-security-defined", "warn", 'Operation "security" values must match a scheme defined in the '
      '"components.securitySchemes" object.', formats=V3)
def oas3_operation_security_defined(ctx: Context):
    yield from _security_defined(ctx, ctx.get("components", "securitySchemes"))


@rule("oas2-operation-security-defined", "warn", 'Operation "security" values must match a scheme defined in the '
      '"securityDefinitions" object.', formats=V2)
def oas2_operation_security_defined(ctx: Context):
    yield from _security_defined(ctx, ctx.get("securityDefinitions"))


@rule("oas3-callbacks-in-callbacks", "warn", "Callbacks should not be defined within a callback.", formats=V3)
def oas3_callbacks_in_callbacks(ctx: Context):
    for op in ctx.operations:
        callbacks = op.operation.get("callbacks")
        for name, callback in (callbacks.items() if isinstance(callbacks, dict) else ()):
            callback = ctx.deref(callback)
            for expression, item in (callback.items() if isinstance(callback, dict) else ()):
                for method, inner in (item.items() if isinstance(item, dict) else ()):
                    if isinstance(inner, dict) and "callbacks" in inner:
                        yield (*op.parts, "callbacks", name, expression, method, "callbacks"), \
                            "a callback defines callbacks of its own"


@rule("oas3_1-servers-in-webhook", "warn", "Servers should not be defined in a webhook.", formats=V31)
def oas31_servers_in_webhook(ctx: Context):
    for name, item in ctx.mapping("webhooks").items():
        for method, operation in (item.items() if isinstance(item, dict) else ()):
            if isinstance(operation, dict) and "servers" in operation:
                yield ("webhooks", name, method, "servers"), f"webhook {name!r} defines servers"


@rule("oas3_1-callbacks-in-webhook", "warn", "Callbacks should not be defined in a webhook.", formats=V31)
def oas31_callbacks_in_webhook(ctx: Context):
    for name, item in ctx.mapping("webhooks").items():
        for method, operation in (item.items() if isinstance(item, dict) else ()):
            if isinstance(operation, dict) and "callbacks" in operation:
                yield ("webhooks", name, method, "callbacks"), f"webhook {name!r} defines callbacks"

