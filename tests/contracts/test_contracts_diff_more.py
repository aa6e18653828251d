"""OpenAPI diff engine: composition, discriminators, security, webhooks, versioning, 3.1 keywords, recursion,
external references and Swagger 2.0 normalisation."""

from __future__ import annotations

import builtins
import copy
import socket
import urllib.request

import pytest

from apps.contracts.openapi.diff import diff_specs


def spec(paths=None, version="1.0.0", openapi="3.0.3", schemas=None, **extra) -> dict:
    doc = {"openapi": openapi, "info": {"title": "t", "version": version}, "paths": paths or {}}
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    doc.update(extra)
    return doc


def post(schema, **extra) -> dict:
    body = {"content": {"application/json": {"schema": schema}}}
    return spec({"/pets": {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}}, **extra)


def get(schema, **extra) -> dict:
    content = {"application/json": {"schema": schema}}
    return spec({"/pets": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}}, **extra)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


PETS = {
    "Dog": {"type": "object", "properties": {"bark": {"type": "boolean"}}},
    "Cat": {"type": "object", "properties": {"meow": {"type": "boolean"}}},
    "Fox": {"type": "object", "properties": {"den": {"type": "string"}}},
}


def found(base, revision) -> dict[str, str]:
    return {change.id: change.level for change in diff_specs(base, revision)}


# --- composition and discriminators ---


@pytest.mark.parametrize(
    ("keyword", "direction", "verb", "change_id", "level"),
    [
        ("oneOf", post, "added", "request-body-one-of-added", "INFO"),
        ("oneOf", post, "removed", "request-body-one-of-removed", "ERR"),
        ("anyOf", post, "removed", "request-body-any-of-removed", "ERR"),
        ("allOf", post, "added", "request-body-all-of-added", "ERR"),
        ("allOf", post, "removed", "request-body-all-of-removed", "WARN"),
        ("oneOf", get, "added", "response-body-one-of-added", "ERR"),
        ("anyOf", get, "added", "response-body-any-of-added", "INFO"),
        ("allOf", get, "removed", "response-body-all-of-removed", "INFO"),
    ],
)
def test_composition_members(keyword, direction, verb, change_id, level):
    small = {keyword: [ref("Dog"), ref("Cat")]}
    large = {keyword: [ref("Dog"), ref("Cat"), ref("Fox")]}
    base, revision = (small, large) if verb == "added" else (large, small)
    changes = diff_specs(direction(base, schemas=PETS), direction(revision, schemas=PETS))
    mine = [change for change in changes if change.id == change_id]
    assert len(mine) == 1 and mine[0].level == level
    assert "`#/components/schemas/Fox`" in mine[0].message


def test_annotation_only_all_of_member_is_info():
    base = post({"allOf": [ref("Dog")]}, schemas=PETS)
    revision = post({"allOf": [ref("Dog"), {"description": "a good dog"}]}, schemas=PETS)
    assert found(base, revision) == {"request-body-all-of-added-annotation-only": "INFO"}


def test_inline_subschemas_match_by_title():
    def alternative(title, kind):
        return {"title": title, "type": "object", "properties": {"v": {"type": kind}}}

    base = get({"anyOf": [alternative("Id", "integer"), alternative("Name", "string")]})
    revision = get({"anyOf": [alternative("Name", "string"), alternative("Id", "number")]})
    changes = diff_specs(base, revision)
    assert [(c.id, c.level) for c in changes] == [
        ("response-property-type-generalized", "ERR"),
        ("api-version-not-bumped", "INFO"),
    ]
    assert "`anyOf[subschema #1: Id -> subschema #2: Id]/v`" in changes[0].message


def test_list_of_types_suppresses_the_type_change_of_the_body():
    base = get({"anyOf": [{"type": "integer"}, {"type": "string"}]})
    revision = get({"anyOf": [{"type": "string"}, {"type": "number"}]})
    got = found(base, revision)
    assert got["response-body-list-of-types-widened"] == "ERR"
    assert got["response-body-list-of-types-narrowed"] == "INFO"
    assert "response-body-type-changed" not in got


def test_discriminator_changes():
    def schema(**discriminator):
        return {"oneOf": [ref("Dog"), ref("Cat")], "discriminator": discriminator}

    base = post(schema(propertyName="kind", mapping={"dog": "#/components/schemas/Dog"}), schemas=PETS)
    renamed = post(schema(propertyName="type", mapping={"dog": "#/components/schemas/Dog"}), schemas=PETS)
    mapped = post(schema(propertyName="kind", mapping={"cat": "#/components/schemas/Cat"}), schemas=PETS)
    assert found(base, renamed) == {"request-body-discriminator-property-name-changed": "INFO"}
    assert found(base, mapped) == {
        "request-body-discriminator-mapping-added": "INFO",
        "request-body-discriminator-mapping-deleted": "INFO",
    }
    assert found(post({"oneOf": [ref("Dog"), ref("Cat")]}, schemas=PETS), base) == {
        "request-body-discriminator-added": "INFO"
    }


def test_list_of_types_and_wrapping():
    assert found(post({"type": "string"}), post({"oneOf": [{"type": "string"}, {"type": "integer"}]})) == {
        "request-body-list-of-types-widened": "INFO"
    }
    assert found(get({"anyOf": [{"type": "string"}, {"type": "integer"}]}), get({"type": "string"})) == {
        "response-body-list-of-types-narrowed": "INFO"
    }
    base = post({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}})
    revision = post({"oneOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                               {"type": "object", "properties": {"b": {"type": "string"}}}]})
    assert found(base, revision) == {"request-body-wrapped-in-one-of": "ERR", "api-version-not-bumped": "INFO"}


# --- OpenAPI 3.1 keywords ---


def test_openapi_31_keywords():
    base = post({"type": "object", "properties": {"kind": {"type": "string", "const": "a"}}}, openapi="3.1.0")
    revision = post({"type": "object", "properties": {"kind": {"type": "string", "const": "b"}}}, openapi="3.1.0")
    assert found(base, revision)["request-property-const-changed"] == "ERR"
    conditional = post({"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}}, openapi="3.1.0")
    assert found(post({"type": "object"}, openapi="3.1.0"), conditional).keys() >= {
        "request-body-if-added",
        "request-body-then-added",
    }
    nullable = post({"type": ["string", "null"]}, openapi="3.1.0")
    assert found(nullable, post({"type": "string"}, openapi="3.1.0")) == {
        "request-body-became-not-nullable": "ERR",
        "api-version-not-bumped": "INFO",
    }


# --- security ---


def test_global_security():
    base = spec(security=[{"api_key": []}, {"oauth": ["read"]}])
    revision = spec(security=[{"oauth": ["read", "write"]}, {"bearer": []}])
    assert found(base, revision) == {
        "api-global-security-removed": "INFO",
        "api-global-security-added": "INFO",
        "api-global-security-scope-added": "INFO",
    }
    messages = {change.message for change in diff_specs(base, revision)}
    assert "the security scope `write` was added to the global security scheme `oauth`" in messages


def test_operation_security_and_components():
    def doc(security, schemes):
        op = {"security": security, "responses": {"200": {"description": "ok"}}}
        return spec({"/a": {"get": op}}, components={"securitySchemes": schemes})

    flow = {"authorizationUrl": "https://a/auth", "scopes": {"r": "read"}}
    implicit = {"type": "oauth2", "flows": {"implicit": flow}}
    moved = copy.deepcopy(implicit)
    moved["flows"]["implicit"]["authorizationUrl"] = "https://b/auth"
    moved["flows"]["implicit"]["scopes"] = {"r": "read all", "w": "write"}
    base = doc([{"oauth": ["r"]}], {"oauth": implicit, "key": {"type": "apiKey", "name": "k", "in": "header"}})
    revision = doc([{"oauth": []}, {"basic": []}], {"oauth": moved, "basic": {"type": "http", "scheme": "basic"}})
    assert found(base, revision) == {
        "api-security-scope-removed": "INFO",
        "api-security-added": "INFO",
        "api-security-component-added": "INFO",
        "api-security-component-removed": "INFO",
        "api-security-component-oauth-url-changed": "INFO",
        "api-security-component-oauth-scope-added": "INFO",
        "api-security-component-oauth-scope-changed": "INFO",
    }
    assert diff_specs(base, copy.deepcopy(base)) == []


def test_identical_alternatives_sharing_a_scheme_are_not_a_change():
    security = [{"petstore_auth": ["read"]}, {"petstore_auth": ["write"]}]
    assert diff_specs(spec(security=security), spec(security=list(reversed(security)))) == []


# --- webhooks, schemas, versioning ---


def test_webhooks_and_removed_component_schemas():
    hook = {"post": {"responses": {"200": {"description": "ok"}}}}
    base = spec(openapi="3.1.0", webhooks={"newPet": hook, "oldPet": hook}, schemas={"A": {}, "B": {}})
    revision = spec(openapi="3.1.0", webhooks={"newPet": hook, "adopted": hook}, schemas={"A": {}})
    assert found(base, revision) == {
        "webhook-removed": "ERR",
        "webhook-added": "INFO",
        "api-schema-removed": "INFO",
        "api-version-not-bumped": "INFO",
    }


@pytest.mark.parametrize(
    ("base", "revision", "expected"),
    [
        ("1.2.0", "1.2.0", "api-version-not-bumped"),
        ("1.2.0", "1.1.9", "api-version-decreased"),
        ("1.2.0", "1.3.0", "api-major-version-not-bumped"),
        ("0.2.0", "0.3.0", None),
        ("0.2.0", "0.2.1", "api-major-version-not-bumped"),
        ("1.2.0", "2.0.0", None),
        ("2023-09-11", "2023-09-12", None),
    ],
)
def test_versioning_policy(base, revision, expected):
    path = {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}
    changes = diff_specs(spec(path, version=base), spec(version=revision))
    versioning = [c.id for c in changes if c.id.startswith("api-") and "version" in c.id]
    assert versioning == ([expected] if expected else [])
    assert all(c.level == "INFO" for c in changes if c.id in versioning)


def test_no_versioning_finding_without_breaking_change():
    assert diff_specs(spec(version="1.0.0"), spec({"/a": {"get": {"responses": {}}}}, version="1.0.0"))[0].id == (
        "endpoint-added"
    )
    assert len(diff_specs(spec(version="1.0.0"), spec({"/a": {"get": {"responses": {}}}}, version="1.0.0"))) == 1


# --- recursion and references ---


def _tree(leaf_type: str) -> dict:
    node = {
        "type": "object",
        "properties": {"value": {"type": leaf_type}, "children": {"type": "array", "items": ref("Node")}},
    }
    return {"Node": node, "Wrapper": {"type": "object", "properties": {"node": ref("Node"), "parent": ref("Wrapper")}}}


def test_recursive_schemas_terminate_and_report_once_per_path():
    base = get(ref("Wrapper"), schemas=_tree("string"))
    revision = get(ref("Wrapper"), schemas=_tree("integer"))
    changes = [c for c in diff_specs(base, revision) if c.id == "response-property-type-changed"]
    assert [c.message for c in changes] == [
        "the `node/value` response's property `type` changed from `string` to `integer` for status `200`"
    ]
    assert diff_specs(base, copy.deepcopy(base)) == []


def test_mutually_recursive_and_self_referencing_refs_terminate():
    schemas = {
        "A": {"type": "object", "properties": {"b": ref("B")}},
        "B": {"type": "object", "properties": {"a": ref("A"), "n": {"type": "string"}}},
        "Loop1": ref("Loop2"),
        "Loop2": ref("Loop1"),
        "Self": {"allOf": [ref("Self"), {"type": "object"}]},
    }
    changed = copy.deepcopy(schemas)
    changed["B"]["properties"]["n"] = {"type": "integer"}
    schema = {"type": "object", "properties": {"a": ref("A"), "loop": ref("Loop1"), "self": ref("Self")}}
    ids = [c.id for c in diff_specs(post(schema, schemas=schemas), post(schema, schemas=changed))]
    assert ids == ["request-property-type-changed", "api-version-not-bumped"]


def test_very_deep_schemas_do_not_exhaust_the_stack():
    def nest(depth, leaf):
        schema = {"type": leaf}
        for _ in range(depth):
            schema = {"type": "object", "properties": {"a": schema}}
        return schema

    assert [c.id for c in diff_specs(post(nest(150, "string")), post(nest(150, "integer")))][:1] == [
        "request-property-type-changed"
    ]
    diff_specs(post(nest(3000, "string")), post(nest(3000, "integer")))  # no RecursionError


def test_external_refs_are_never_fetched(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the diff must not read files or open connections")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if "other.yaml" in str(file) or "example.com" in str(file):
            refuse()
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    external = {"$ref": "other.yaml#/components/schemas/Pet"}
    remote = {"$ref": "https://example.com/pet.json"}
    base = post({"type": "object", "properties": {"pet": external, "other": remote}})
    assert diff_specs(base, copy.deepcopy(base)) == []
    revision = post({"type": "object", "properties": {"pet": external}})
    assert [c.id for c in diff_specs(base, revision)] == ["request-property-removed"]


def test_dangling_local_ref_and_odd_inputs_do_not_crash():
    base = post({"type": "object", "properties": {"x": ref("Missing")}})
    revision = post({"type": "object", "properties": {"x": ref("AlsoMissing")}})
    diff_specs(base, revision)
    assert diff_specs({}, {}) == []
    assert diff_specs({"openapi": "3.0.0", "paths": None}, {"openapi": "3.0.0", "paths": []}) == []
    yaml_like = spec({"/a": {"get": {"responses": {200: {"description": "ok"}}}}})
    assert [c.id for c in diff_specs(yaml_like, spec({"/a": {"get": {"responses": {}}}}))][:1] == [
        "response-success-status-removed"
    ]


# --- Swagger 2.0 ---

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Pets", "version": "1.0.0"},
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "securityDefinitions": {"api_key": {"type": "apiKey", "name": "X-Key", "in": "header"}},
    "security": [{"api_key": []}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [{"name": "limit", "in": "query", "type": "integer", "format": "int32", "maximum": 100}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Next": {"type": "string"}},
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                    }
                },
            },
            "post": {
                "operationId": "createPet",
                "parameters": [
                    {"name": "pet", "in": "body", "required": True, "schema": {"$ref": "#/definitions/Pet"}}
                ],
                "responses": {"201": {"description": "created", "schema": {"$ref": "#/definitions/Pet"}}},
            },
        },
        "/pets/{petId}": {
            "get": {
                "operationId": "showPet",
                "parameters": [{"name": "petId", "in": "path", "required": True, "type": "string"}],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}},
            }
        },
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "name": {"type": "string"},
                "tag": {"type": "string", "x-nullable": True},
            },
        }
    },
}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0.0"},
    "security": [{"api_key": []}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32", "maximum": 100}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Next": {"schema": {"type": "string"}}},
                        "content": {
                            "application/json": {"schema": {"type": "array", "items": ref("Pet")}},
                        },
                    }
                },
            },
            "post": {
                "operationId": "createPet",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Pet")}}},
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {"schema": ref("Pet")}}}
                },
            },
        },
        "/pets/{id}": {
            "get": {
                "operationId": "showPet",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ref("Pet")}}}},
            }
        },
    },
    "components": {
        "securitySchemes": {"api_key": {"type": "apiKey", "name": "X-Key", "in": "header"}},
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "name": {"type": "string"},
                    "tag": {"type": "string", "nullable": True},
                },
            }
        },
    },
}


def test_swagger2_and_openapi3_of_the_same_api_are_equivalent():
    assert diff_specs(SWAGGER, OPENAPI) == []
    assert diff_specs(OPENAPI, SWAGGER) == []


def test_swagger2_changes_are_found_like_openapi3_ones():
    revision = copy.deepcopy(SWAGGER)
    revision["definitions"]["Pet"]["properties"]["name"]["maxLength"] = 10
    revision["paths"]["/pets"]["get"]["parameters"][0]["required"] = True
    revision["paths"]["/pets"]["get"]["produces"] = ["application/xml"]
    del revision["paths"]["/pets/{petId}"]
    got = found(SWAGGER, revision)
    assert got == {
        "request-property-max-length-set": "WARN",
        "request-parameter-became-required": "ERR",
        "response-media-type-removed": "ERR",
        "response-media-type-added": "INFO",
        "api-path-removed-without-deprecation": "ERR",
        "api-version-not-bumped": "INFO",
    }
    from_openapi3 = [(c.id, c.level, c.message) for c in diff_specs(OPENAPI, revision)]
    assert from_openapi3 == [(c.id, c.level, c.message) for c in diff_specs(SWAGGER, revision)]


def test_swagger2_form_data_becomes_a_request_body():
    def doc(required):
        params = [
            {"name": "file", "in": "formData", "type": "file", "required": True},
            {"name": "note", "in": "formData", "type": "string", "required": required},
        ]
        op = {"consumes": ["multipart/form-data"], "parameters": params, "responses": {"200": {"description": "ok"}}}
        return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/upload": {"post": op}}}

    changes = diff_specs(doc(False), doc(True))
    assert [(c.id, c.level, c.operation) for c in changes] == [
        ("request-property-became-required", "ERR", "POST /upload")
    ]
    assert "/requestBody/content/multipart~1form-data/schema/properties/note" in changes[0].location


# --- every family's message template matches its arguments ---

_KEYWORDS_BASE = {
    "type": "array",
    "contains": {"type": "string"},
    "minContains": 1,
    "maxContains": 5,
    "prefixItems": [{"type": "string"}],
    "const": [1],
    "contentMediaType": "a/b",
    "contentEncoding": "base64",
    "dependentRequired": {"a": ["b"]},
    "patternProperties": {"^x": {"type": "string"}},
    "dependentSchemas": {"a": {"type": "object"}},
    "propertyNames": {"pattern": "^a"},
    "unevaluatedItems": {"type": "string"},
    "unevaluatedProperties": {"type": "string"},
    "if": {"type": "string"},
    "then": {"type": "string"},
    "else": {"type": "string"},
    "contentSchema": {"type": "string"},
    "default": [1],
    "minimum": 1,
    "maximum": 10,
    "minLength": 1,
    "maxLength": 9,
    "minItems": 1,
    "exclusiveMinimum": 1,
    "exclusiveMaximum": 9,
    "discriminator": {"propertyName": "a", "mapping": {"a": "#/x", "b": "#/y"}},
    "enum": [[1], [2]],
    "pattern": "a",
    "x-stability-level": "stable",
    "x-extensible-enum": ["a", "b"],
}
_KEYWORDS_REVISION = {
    "type": "array",
    "minContains": 2,
    "maxContains": 4,
    "prefixItems": [{"type": "integer"}, {"type": "boolean"}],
    "const": [2],
    "contentMediaType": "a/c",
    "contentEncoding": "base32",
    "dependentRequired": {"a": ["c"], "z": ["y"]},
    "patternProperties": {"^y": {"type": "string"}},
    "dependentSchemas": {"b": {"type": "object"}},
    "default": [2],
    "minimum": 2,
    "maximum": 9,
    "minLength": 2,
    "maxLength": 8,
    "minItems": 3,
    "exclusiveMinimum": 2,
    "exclusiveMaximum": 8,
    "discriminator": {"propertyName": "b", "mapping": {"a": "#/z", "c": "#/y"}},
    "enum": [[1], [3]],
    "pattern": "b",
    "deprecated": True,
    "x-sunset": "2030-01-01",
    "x-stability-level": "beta",
    "x-extensible-enum": ["b"],
    "readOnly": True,
    "writeOnly": True,
    "nullable": True,
}


@pytest.mark.parametrize("direction", [post, get])
@pytest.mark.parametrize("as_property", [False, True])
def test_every_keyword_family_renders_its_message(monkeypatch, direction, as_property):
    from apps.contracts.openapi import diff_messages

    monkeypatch.setattr(diff_messages, "STRICT", True)
    base, revision = copy.deepcopy(_KEYWORDS_BASE), copy.deepcopy(_KEYWORDS_REVISION)
    if as_property:
        base = {"type": "object", "properties": {"p": base}, "required": ["p"]}
        revision = {"type": "object", "properties": {"p": revision}}
    forward = diff_specs(direction(base, openapi="3.1.0"), direction(revision, openapi="3.1.0"))
    backward = diff_specs(direction(revision, openapi="3.1.0"), direction(base, openapi="3.1.0"))
    ids = {change.id for change in forward + backward}
    side = "request" if direction is post else "response"
    scope = "property" if as_property else "body"
    assert {f"{side}-{scope}-const-changed", f"{side}-{scope}-if-added", f"{side}-{scope}-if-removed"} <= ids
    assert {f"{side}-{scope}-prefix-items-added", f"{side}-{scope}-dependent-required-changed"} <= ids
    assert {f"{side}-{scope}-discriminator-mapping-changed", f"{side}-{scope}-min-contains-increased"} <= ids
    assert len(forward) >= 20 and len(backward) >= 20
