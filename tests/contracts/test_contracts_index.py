"""The operation and schema index of OpenAPI 2.0 / 3.0 / 3.1 / 3.2 documents (no DB).

Fixtures: ``tests/fixtures/contracts/openapi-real`` (origins in its README.md). Operation counts
are checked against an independent count of each file (PyYAML + method keys of each path item).
"""

import json
from pathlib import Path

import pytest
import yaml

from apps.contracts.openapi.index import Operation, Parameter, Response, SchemaInfo, index_operations, list_schemas
from apps.contracts.openapi.load import load_spec

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "contracts" / "openapi-real"
EXPECTED_REAL = json.loads((REAL / "expected.json").read_text())
BIG = {"vendor/stripe-spec3-2023-09-12.yaml", "vendor/osv-bench-kubernetes.yaml"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def independent_count(data: bytes) -> tuple[int, int]:
    """(operations under paths, schemas) counted without our loader: the method keys of each path item."""
    document = yaml.load(data, Loader=yaml.CSafeLoader)
    operations = sum(len(HTTP_METHODS & set(item)) for item in (document.get("paths") or {}).values())
    if "swagger" in document:
        schemas = len(document.get("definitions") or {})
    else:
        schemas = len((document.get("components") or {}).get("schemas") or {})
    return operations, schemas


def check_counts(name: str) -> list[Operation]:
    data = (REAL / name).read_bytes()
    document = load_spec(data, filename=Path(name).name).document
    operations = index_operations(document)
    expected_operations, expected_schemas = independent_count(data)
    on_paths = [op for op in operations if not op.webhook]
    assert len(on_paths) == expected_operations == EXPECTED_REAL[name]["computed"]["operations"]
    assert len(operations) - len(on_paths) == EXPECTED_REAL[name]["computed"]["webhooks"]
    assert len(list_schemas(document)) == expected_schemas == EXPECTED_REAL[name]["computed"]["component_schemas"]
    assert len({(op.method, op.path) for op in on_paths}) == len(on_paths)
    return operations


@pytest.mark.parametrize("name", sorted(name for name in EXPECTED_REAL if not name.startswith("multi-file/")
                                        and name not in BIG))
def test_every_real_spec_indexes_as_many_operations_as_it_has(name):
    check_counts(name)


def test_the_biggest_specs_index():
    """The slow one: Stripe (468 operations) and Kubernetes (1067)."""
    stripe = check_counts("vendor/stripe-spec3-2023-09-12.yaml")
    account = next(op for op in stripe if (op.method, op.path) == ("get", "/v1/account"))
    assert account.operation_id == "GetAccount"
    assert account.request_media_types == ("application/x-www-form-urlencoded",)
    assert [r.code for r in account.responses] == ["200", "default"]
    assert account.security == ("basicAuth", "bearerAuth")
    assert Parameter("expand", "query", False, "array") in account.parameters
    kubernetes = check_counts("vendor/osv-bench-kubernetes.yaml")
    assert len(kubernetes) == 1067


def test_petstore_3_0_operations_in_detail():
    document = load_spec((REAL / "oai-examples/v3.0-petstore.yaml").read_bytes()).document
    operations = index_operations(document)
    assert [(op.method, op.path, op.operation_id) for op in operations] == [
        ("get", "/pets", "listPets"), ("post", "/pets", "createPets"), ("get", "/pets/{petId}", "showPetById")]
    assert operations[0] == Operation(
        method="get", path="/pets", operation_id="listPets", summary="List all pets", description="",
        tags=("pets",), deprecated=False, parameters=(Parameter("limit", "query", False, "integer"),),
        request_media_types=(), responses=(Response("200", ("application/json",)), Response("default",
                                                                                            ("application/json",))),
        security=(), pointer="/paths/~1pets/get")
    assert operations[2].parameters == (Parameter("petId", "path", True, "string"),)


def test_petstore_2_0_uses_consumes_and_produces():
    document = load_spec((REAL / "oai-examples/v2.0-petstore-expanded.yaml").read_bytes()).document
    by_id = {op.operation_id: op for op in index_operations(document)}
    add = by_id["addPet"]
    assert add.parameters == (Parameter("pet", "body", True, "object"),)
    assert add.request_media_types == ("application/json",)
    assert [(r.code, r.media_types) for r in add.responses] == [("200", ("application/json",)),
                                                                 ("default", ("application/json",))]
    assert [(r.code, r.media_types) for r in by_id["deletePet"].responses] == [("204", ()),
                                                                               ("default", ("application/json",))]
    assert Parameter("tags", "query", False, "array") in by_id["findPets"].parameters


MERGE = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "security": [{"apiKey": []}],
    "paths": {
        "/pets/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Id"},
                           {"name": "trace", "in": "header", "schema": {"type": ["string", "null"]}}],
            "get": {"operationId": "getPet", "deprecated": True, "tags": ["pets", 3],
                    "parameters": [{"name": "trace", "in": "header", "required": True, "schema": {"type": "integer"}},
                                   {"name": "fields", "in": "query",
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/F"}}}}],
                    "responses": {"200": {"$ref": "#/components/responses/Pet"}, "x-note": {}}},
            "delete": {"security": [], "responses": {"204": {"description": "gone"}}},
            "put": {"security": [{"oauth": ["write"], "apiKey": []}, {"basic": []}],
                    "requestBody": {"$ref": "#/components/requestBodies/Pet"},
                    "responses": {"200": {"description": "ok"}}},
            "x-internal": {"get": {}},
        },
        "/ref": {"$ref": "#/components/pathItems/Ref"},
    },
    "webhooks": {"petAdded": {"post": {"operationId": "petAdded", "responses": {"200": {"description": "ok"}}}}},
    "components": {
        "parameters": {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}},
        "schemas": {"F": {"type": "object", "properties": {"a": {}, "b": {}}, "description": "Fields."},
                    "Any": True, "List": {"items": {}}, "Ref": {"$ref": "#/components/schemas/F"},
                    "Mixed": {"oneOf": [{}, {}]}},
        "responses": {"Pet": {"description": "a pet", "content": {"application/json": {}, "application/xml": {}}}},
        "requestBodies": {"Pet": {"content": {"application/merge-patch+json": {}}}},
        "pathItems": {"Ref": {"get": {"operationId": "viaRef", "responses": {}}}},
    },
}


def test_path_level_parameters_merge_and_refs_resolve():
    operations = {op.operation_id or op.method: op for op in index_operations(MERGE)}
    get = operations["getPet"]
    assert get.parameters == (Parameter("id", "path", True, "string"), Parameter("trace", "header", True, "integer"),
                              Parameter("fields", "query", False, "object"))
    assert (get.deprecated, get.tags, get.security) == (True, ("pets",), ("apiKey",))
    assert get.responses == (Response("200", ("application/json", "application/xml")),)
    assert operations["delete"].security == ()  # "security: []" turns the document's requirement off
    assert operations["put"].security == ("oauth", "apiKey", "basic")
    assert operations["put"].request_media_types == ("application/merge-patch+json",)
    assert operations["viaRef"].pointer == "/paths/~1ref/get"
    assert [(op.operation_id, op.webhook, op.pointer) for op in index_operations(MERGE) if op.webhook] == [
        ("petAdded", True, "/webhooks/petAdded/post")]


def test_schemas_are_listed_with_type_property_count_and_description():
    assert list_schemas(MERGE) == [
        SchemaInfo("F", "object", 2, "Fields.", "/components/schemas/F"),
        SchemaInfo("Any", None, 0, "", "/components/schemas/Any"),
        SchemaInfo("List", "array", 0, "", "/components/schemas/List"),
        SchemaInfo("Ref", "object", 2, "Fields.", "/components/schemas/Ref"),
        SchemaInfo("Mixed", "oneOf", 0, "", "/components/schemas/Mixed"),
    ]
    document = load_spec((REAL / "oai-examples/v2.0-petstore.yaml").read_bytes()).document
    assert [(s.name, s.type, s.property_count) for s in list_schemas(document)] == [
        ("Pet", "object", 3), ("Pets", "array", 0), ("Error", "object", 2)]


def test_openapi_3_2_query_and_additional_operations():
    document = {"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, "paths": {"/items": {
        "query": {"operationId": "search", "responses": {}},
        "additionalOperations": {"LINK": {"operationId": "link", "responses": {}}}}}}
    assert [(op.method, op.operation_id, op.pointer) for op in index_operations(document)] == [
        ("query", "search", "/paths/~1items/query"), ("LINK", "link", "/paths/~1items/additionalOperations/LINK")]
    document["openapi"] = "3.1.0"  # not operations before 3.2
    assert index_operations(document) == []


@pytest.mark.parametrize("document", [
    None, [], "x", {}, {"openapi": "3.0.3", "paths": []}, {"openapi": "3.0.3", "paths": {"/a": None, "/b": []}},
    {"openapi": "3.0.3", "paths": {"/a": {"get": {"parameters": "x", "responses": [], "tags": "t", "security": {}}}}},
    {"openapi": "3.0.3", "paths": {"/a": {"$ref": "#/nowhere"}, "/b": {"$ref": "#/paths/~1b"}}},
    {"swagger": "2.0", "paths": {"/a": {"get": {"parameters": [{"$ref": "#/parameters/missing"}, 5]}}},
     "definitions": []},
    {"openapi": "3.0.3", "components": {"schemas": {"A": None, "B": {"$ref": "#/components/schemas/B"}}}},
])
def test_broken_documents_index_without_raising(document):
    index_operations(document)
    list_schemas(document)
