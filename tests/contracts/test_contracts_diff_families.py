"""One small hand-written pair per change family of the OpenAPI diff engine (oasdiff ids and levels)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from apps.contracts.openapi import diff_messages
from apps.contracts.openapi.diff import CHANGE_LEVELS, diff_specs

FUTURE = (dt.date.today() + dt.timedelta(days=400)).isoformat()
PAST = (dt.date.today() - dt.timedelta(days=400)).isoformat()
VERSIONING = {"api-version-not-bumped", "api-version-decreased", "api-major-version-not-bumped"}


@pytest.fixture(autouse=True)
def _strict_messages(monkeypatch):
    """A message template that does not fit its arguments fails the test instead of falling back."""
    monkeypatch.setattr(diff_messages, "STRICT", True)


def spec(paths=None, version="1.0.0", openapi="3.0.3", **extra) -> dict:
    doc = {"openapi": openapi, "info": {"title": "t", "version": version}, "paths": paths or {}}
    doc.update(extra)
    return doc


def op(**fields) -> dict:
    out = {"responses": {"200": {"description": "ok"}}}
    out.update(fields)
    return out


def request(schema, required=False, media="application/json", **extra) -> dict:
    body = {"required": required, "content": {media: {"schema": schema}}}
    return spec({"/items": {"post": op(requestBody=body)}}, **extra)


def response(schema, status="200", media="application/json", headers=None, **extra) -> dict:
    resp = {"description": "ok", "content": {media: {"schema": schema}}}
    if headers is not None:
        resp["headers"] = headers
    return spec({"/items": {"get": {"responses": {status: resp}}}}, **extra)


def params(*parameters, path="/items", **extra) -> dict:
    return spec({path: {"get": op(parameters=list(parameters))}}, **extra)


def q(name="limit", where="query", **schema_and_fields) -> dict:
    fields = {key: schema_and_fields.pop(key) for key in ("required", "deprecated", "x-sunset", "style", "explode")
              if key in schema_and_fields}
    out = {"name": name, "in": where, "schema": schema_and_fields}
    out.update(fields)
    return out


def ids(base, revision) -> set[str]:
    """Every change id except the versioning ones (both docs keep version 1.0.0)."""
    return {change.id for change in diff_specs(base, revision)} - VERSIONING


OBJ = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name"]}


def obj(**changes) -> dict:
    schema = copy.deepcopy(OBJ)
    for key, value in changes.items():
        if value is None:
            schema.pop(key, None)
        else:
            schema[key] = value
    return schema


def prop(name, **fields) -> dict:
    schema = copy.deepcopy(OBJ)
    schema["properties"][name] = {**schema["properties"].get(name, {}), **fields}
    return schema


CASES = [
    # paths and operations
    ("path added", spec(), spec({"/a": {"get": op(), "post": op()}}), {"endpoint-added"}),
    ("path removed", spec({"/a": {"get": op()}}), spec(), {"api-path-removed-without-deprecation"}),
    (
        "deprecated path removed",
        spec({"/a": {"get": op(deprecated=True)}}),
        spec(),
        {"api-path-removed-with-deprecation"},
    ),
    (
        "deprecated path removed before its sunset",
        spec({"/a": {"get": op(deprecated=True, **{"x-sunset": FUTURE})}}),
        spec(),
        {"api-path-removed-before-sunset"},
    ),
    (
        "deprecated path removed after its sunset",
        spec({"/a": {"get": op(deprecated=True, **{"x-sunset": PAST})}}),
        spec(),
        set(),
    ),
    (
        "deprecated path removed, sunset unreadable",
        spec({"/a": {"get": op(deprecated=True, **{"x-sunset": "next spring"})}}),
        spec(),
        {"api-path-sunset-parse"},
    ),
    (
        "alpha operation removed",
        spec({"/a": {"get": op(**{"x-stability-level": "alpha"})}}),
        spec(),
        set(),
    ),
    (
        "operation removed",
        spec({"/a": {"get": op(), "post": op()}}),
        spec({"/a": {"get": op()}}),
        {"api-removed-without-deprecation"},
    ),
    (
        "deprecated operation removed",
        spec({"/a": {"get": op(), "post": op(deprecated=True)}}),
        spec({"/a": {"get": op()}}),
        {"api-removed-with-deprecation"},
    ),
    (
        "deprecated operation removed before sunset",
        spec({"/a": {"get": op(), "post": op(deprecated=True, **{"x-sunset": FUTURE})}}),
        spec({"/a": {"get": op()}}),
        {"api-removed-before-sunset"},
    ),
    ("operation added", spec({"/a": {"get": op()}}), spec({"/a": {"get": op(), "put": op()}}), {"endpoint-added"}),
    (
        "path parameter renamed",
        spec({"/a/{id}": {"get": op(parameters=[q("id", "path", required=True, type="string")])}}),
        spec({"/a/{key}": {"get": op(parameters=[q("key", "path", required=True, type="string")])}}),
        set(),
    ),
    (
        "endpoint deprecated",
        spec({"/a": {"get": op()}}),
        spec({"/a": {"get": op(deprecated=True)}}),
        {"endpoint-deprecated"},
    ),
    (
        "endpoint deprecated with sunset",
        spec({"/a": {"get": op()}}),
        spec({"/a": {"get": op(deprecated=True, **{"x-sunset": FUTURE})}}),
        {"endpoint-deprecated-with-sunset"},
    ),
    (
        "endpoint deprecated with a past sunset",
        spec({"/a": {"get": op()}}),
        spec({"/a": {"get": op(deprecated=True, **{"x-sunset": PAST})}}),
        {"api-sunset-date-too-small"},
    ),
    (
        "endpoint reactivated",
        spec({"/a": {"get": op(deprecated=True)}}),
        spec({"/a": {"get": op()}}),
        {"endpoint-reactivated"},
    ),
    (
        "sunset deleted",
        spec({"/a": {"get": op(deprecated=True, **{"x-sunset": FUTURE})}}),
        spec({"/a": {"get": op(deprecated=True)}}),
        {"sunset-deleted"},
    ),
    ("operationId changed", spec({"/a": {"get": op(operationId="a")}}), spec({"/a": {"get": op(operationId="b")}}),
     {"api-operation-id-removed"}),
    (
        "operationId added",
        spec({"/a": {"get": op()}}),
        spec({"/a": {"get": op(operationId="b")}}),
        {"api-operation-id-added"},
    ),
    (
        "tags",
        spec({"/a": {"get": op(tags=["x"])}}),
        spec({"/a": {"get": op(tags=["y"])}}),
        {"api-tag-added", "api-tag-removed"},
    ),
    (
        "stability decreased",
        spec({"/a": {"get": op(**{"x-stability-level": "stable"})}}),
        spec({"/a": {"get": op(**{"x-stability-level": "beta"})}}),
        {"api-stability-decreased"},
    ),
    # parameters
    ("optional query parameter added", params(), params(q()), {"new-optional-request-parameter"}),
    ("required header parameter added", params(), params(q("X-Tenant", "header", required=True)),
     {"new-required-request-parameter"}),
    (
        "path parameter added",
        spec({"/a/{id}": {"get": op()}}),
        spec({"/a/{id}": {"get": op(parameters=[q("id", "path", required=True)])}}),
        {"new-request-path-parameter"},
    ),
    ("cookie parameter removed", params(q("sid", "cookie")), params(), {"request-parameter-removed"}),
    (
        "deprecated parameter removed",
        params(q(deprecated=True)),
        params(),
        {"request-parameter-removed-with-deprecation"},
    ),
    ("parameter removed before sunset", params(q(deprecated=True, **{"x-sunset": FUTURE})), params(),
     {"request-parameter-removed-before-sunset"}),
    ("parameter became required", params(q(type="integer")), params(q(type="integer", required=True)),
     {"request-parameter-became-required"}),
    ("parameter became optional", params(q(required=True)), params(q()), {"request-parameter-became-optional"}),
    (
        "parameter type changed",
        params(q(type="integer")),
        params(q(type="boolean")),
        {"request-parameter-type-changed"},
    ),
    (
        "parameter type widened",
        params(q(type="integer")),
        params(q(type="number")),
        {"request-parameter-type-generalized"},
    ),
    ("parameter scalar to exploded array", params(q(type="string")), params(q(type="array", items={"type": "string"})),
     {"request-parameter-type-generalized"}),
    ("parameter became enum", params(q(type="string")), params(q(type="string", enum=["a", "b"])),
     {"request-parameter-became-enum"}),
    ("parameter enum value removed", params(q(type="string", enum=["a", "b"])), params(q(type="string", enum=["a"])),
     {"request-parameter-enum-value-removed"}),
    ("parameter enum value added", params(q(type="string", enum=["a"])), params(q(type="string", enum=["a", "b"])),
     {"request-parameter-enum-value-added"}),
    ("parameter pattern added", params(q(type="string")), params(q(type="string", pattern="^[a-z]+$")),
     {"request-parameter-pattern-added"}),
    ("parameter pattern changed", params(q(type="string", pattern="^a")), params(q(type="string", pattern="^b")),
     {"request-parameter-pattern-changed"}),
    ("parameter pattern generalized", params(q(type="string", pattern="^a")), params(q(type="string", pattern=".*")),
     {"request-parameter-pattern-generalized"}),
    ("parameter maxLength decreased", params(q(type="string", maxLength=10)), params(q(type="string", maxLength=5)),
     {"request-parameter-max-length-decreased"}),
    ("parameter maxLength set", params(q(type="string")), params(q(type="string", maxLength=5)),
     {"request-parameter-max-length-set"}),
    ("parameter maximum increased", params(q(type="integer", maximum=10)), params(q(type="integer", maximum=50)),
     {"request-parameter-max-increased"}),
    ("parameter minItems set", params(q(type="array", items={"type": "string"})),
     params(q(type="array", items={"type": "string"}, minItems=2)), {"request-parameter-min-items-set"}),
    ("parameter default changed", params(q(type="integer", default=10)), params(q(type="integer", default=20)),
     {"request-parameter-default-value-changed"}),
    ("parameter became nullable", params(q(type="string")), params(q(type="string", nullable=True)),
     {"request-parameter-became-nullable"}),
    ("parameter deprecated", params(q()), params(q(deprecated=True)), {"request-parameter-deprecated"}),
    (
        "parameter sunset moved into the past",
        params(q(deprecated=True, **{"x-sunset": FUTURE})),
        params(q(deprecated=True, **{"x-sunset": PAST})),
        {"request-parameter-sunset-date-changed-too-small"},
    ),
    (
        "response property deprecated with a past sunset",
        response(OBJ),
        response(prop("age", deprecated=True, **{"x-sunset": PAST})),
        {"response-property-sunset-date-too-small"},
    ),
    (
        "annotation-only allOf member added to a property",
        request(prop("age", allOf=[{"minimum": 0}])),
        request(prop("age", allOf=[{"minimum": 0}, {"title": "Age"}])),
        {"request-property-all-of-added-annotation-only"},
    ),
    ("parameter reactivated", params(q(deprecated=True)), params(q()), {"request-parameter-reactivated"}),
    ("parameter x-extensible-enum value removed", params(q(type="string", **{"x-extensible-enum": ["a", "b"]})),
     params(q(type="string", **{"x-extensible-enum": ["a"]})), {"request-parameter-x-extensible-enum-value-removed"}),
    (
        "parameter property type",
        params(q("filter", style="deepObject", explode=True, type="object", properties={"n": {"type": "integer"}})),
        params(q("filter", style="deepObject", explode=True, type="object", properties={"n": {"type": "number"}})),
        {"request-parameter-property-type-generalized"},
    ),
    (
        "header property became required",
        params(q("X-Meta", "header", type="object", properties={"n": {"type": "string"}})),
        params({"name": "X-Meta", "in": "header", "schema": {"type": "object", "properties": {"n": {"type": "string"}},
                                                             "required": ["n"]}}),
        {"request-header-property-became-required"},
    ),
    (
        "path-level parameter added",
        spec({"/a": {"get": op(), "post": op()}}),
        spec({"/a": {"parameters": [q("v", required=True)], "get": op(), "post": op()}}),
        {"new-required-request-default-parameter-to-existing-path"},
    ),
    # request bodies
    ("request body added (required)", spec({"/items": {"post": op()}}), request(OBJ, required=True),
     {"request-body-added-required"}),
    ("request body added (optional)", spec({"/items": {"post": op()}}), request(OBJ), {"request-body-added-optional"}),
    ("request body removed", request(OBJ), spec({"/items": {"post": op()}}), {"request-body-removed"}),
    ("request body became required", request(OBJ), request(OBJ, required=True), {"request-body-became-required"}),
    ("request body became optional", request(OBJ, required=True), request(OBJ), {"request-body-became-optional"}),
    ("request media type removed", request(OBJ), request(OBJ, media="application/xml"),
     {"request-body-media-type-removed", "request-body-media-type-added"}),
    (
        "request body type changed",
        request({"type": "string"}),
        request({"type": "integer"}),
        {"request-body-type-changed"},
    ),
    ("request body became enum", request({"type": "string"}), request({"type": "string", "enum": ["a"]}),
     {"request-body-became-enum"}),
    ("request body enum value removed", request({"type": "string", "enum": ["a", "b"]}),
     request({"type": "string", "enum": ["a"]}), {"request-body-enum-value-removed"}),
    ("request body became not nullable", request({"type": "string", "nullable": True}), request({"type": "string"}),
     {"request-body-became-not-nullable"}),
    (
        "new required request property",
        request(OBJ),
        request(obj(properties={**OBJ["properties"], "x": {"type": "string"}}, required=["name", "x"])),
        {"new-required-request-property"},
    ),
    (
        "new optional request property",
        request(OBJ),
        request(obj(properties={**OBJ["properties"], "x": {"type": "string"}})),
        {"new-optional-request-property"},
    ),
    ("request property removed", request(OBJ), request(obj(properties={"name": {"type": "string"}})),
     {"request-property-removed"}),
    ("read-only request property removed", request(prop("age", readOnly=True)),
     request(obj(properties={"name": {"type": "string"}})), set()),
    ("request property became required", request(OBJ), request(obj(required=["name", "age"])),
     {"request-property-became-required"}),
    (
        "request property with default became required",
        request(prop("age", default=1)),
        request({**prop("age", default=1), "required": ["name", "age"]}),
        {"request-property-became-required-with-default"},
    ),
    (
        "request property became optional",
        request(OBJ),
        request(obj(required=None)),
        {"request-property-became-optional"},
    ),
    (
        "request property type changed",
        request(OBJ),
        request(prop("age", type="string")),
        {"request-property-type-changed"},
    ),
    ("request property type widened", request(OBJ), request(prop("age", type="number")),
     {"request-property-type-generalized"}),
    ("request property format widened", request(prop("age", format="int32")), request(prop("age", format="int64")),
     {"request-property-type-generalized"}),
    ("request property became enum", request(OBJ), request(prop("name", enum=["a"])), {"request-property-became-enum"}),
    ("request property enum value removed", request(prop("name", enum=["a", "b"])), request(prop("name", enum=["a"])),
     {"request-property-enum-value-removed"}),
    ("request property enum value added", request(prop("name", enum=["a"])), request(prop("name", enum=["a", "b"])),
     {"request-property-enum-value-added"}),
    ("request property became nullable", request(OBJ), request(prop("name", nullable=True)),
     {"request-property-became-nullable"}),
    ("request property max decreased", request(prop("age", maximum=100)), request(prop("age", maximum=10)),
     {"request-property-max-decreased"}),
    ("request property max set", request(OBJ), request(prop("age", maximum=10)), {"request-property-max-set"}),
    ("read-only request property max decreased", request(prop("age", maximum=100, readOnly=True)),
     request(prop("age", maximum=10, readOnly=True)), {"request-read-only-property-max-decreased"}),
    ("request property minLength increased", request(OBJ), request(prop("name", minLength=3)),
     {"request-property-min-length-increased"}),
    ("request property exclusiveMinimum increased (3.1)", request(prop("age", exclusiveMinimum=0), openapi="3.1.0"),
     request(prop("age", exclusiveMinimum=5), openapi="3.1.0"), {"request-property-exclusive-min-increased"}),
    ("request property pattern removed", request(prop("name", pattern="^a")), request(OBJ),
     {"request-property-pattern-removed"}),
    ("request property default changed", request(prop("age", default=1)), request(prop("age", default=2)),
     {"request-property-default-value-changed"}),
    ("request property became read-only", request(OBJ), request(prop("name", readOnly=True)),
     {"request-required-property-became-read-only"}),
    ("request optional property became write-only", request(OBJ), request(prop("age", writeOnly=True)),
     {"request-optional-property-became-write-only"}),
    (
        "request property deprecated",
        request(OBJ),
        request(prop("age", deprecated=True)),
        {"request-property-deprecated"},
    ),
    ("request property x-extensible-enum value removed", request(prop("name", **{"x-extensible-enum": ["a", "b"]})),
     request(prop("name", **{"x-extensible-enum": ["b"]})), {"request-property-x-extensible-enum-value-removed"}),
    ("request nested property removed", request(prop("age", type="object", properties={"y": {"type": "integer"}})),
     request(prop("age", type="object", properties={})), {"request-property-removed"}),
    ("request array item property type", request({"type": "array", "items": OBJ}),
     request({"type": "array", "items": prop("age", type="string")}), {"request-property-type-changed"}),
    # responses
    ("success status removed", response(OBJ), spec({"/items": {"get": {"responses": {"204": {"description": "x"}}}}}),
     {"response-success-status-removed", "response-success-status-added"}),
    ("non-success status added", spec({"/items": {"get": op()}}),
     spec({"/items": {"get": {"responses": {"200": {"description": "ok"}, "404": {"description": "x"}}}}}),
     {"response-non-success-status-added"}),
    ("response media type removed", response(OBJ), response(OBJ, media="text/plain"),
     {"response-media-type-removed", "response-media-type-added"}),
    ("response required property removed", response(OBJ), response(obj(properties={"age": {"type": "integer"}})),
     {"response-required-property-removed"}),
    ("response optional property removed", response(OBJ), response(obj(properties={"name": {"type": "string"}})),
     {"response-optional-property-removed"}),
    ("response write-only property removed", response(prop("age", writeOnly=True)),
     response(obj(properties={"name": {"type": "string"}})), {"response-optional-write-only-property-removed"}),
    ("response property added", response(OBJ), response(obj(properties={**OBJ["properties"], "x": {"type": "string"}})),
     {"response-optional-property-added"}),
    ("response required property added", response(OBJ),
     response(obj(properties={**OBJ["properties"], "x": {"type": "string"}}, required=["name", "x"])),
     {"response-required-property-added"}),
    ("response property became optional", response(OBJ), response(obj(required=None)),
     {"response-property-became-optional"}),
    ("response property became required", response(OBJ), response(obj(required=["name", "age"])),
     {"response-property-became-required"}),
    ("response property enum value added", response(prop("name", enum=["a"])), response(prop("name", enum=["a", "b"])),
     {"response-property-enum-value-added"}),
    (
        "response property enum value removed",
        response(prop("name", enum=["a", "b"])),
        response(prop("name", enum=["a"])),
        {"response-property-enum-value-removed"},
    ),
    ("response property became nullable (3.1 type list)", response(OBJ, openapi="3.1.0"),
     response(prop("name", type=["string", "null"]), openapi="3.1.0"), {"response-property-became-nullable"}),
    ("response body became nullable", response(OBJ), response(obj(nullable=True)), {"response-body-became-nullable"}),
    ("response property type widened", response(OBJ), response(prop("age", type="number")),
     {"response-property-type-generalized"}),
    ("response property type narrowed", response(prop("age", type="number")), response(OBJ),
     {"response-property-type-specialized"}),
    ("response body type changed", response({"type": "string"}), response({"type": "boolean"}),
     {"response-body-type-changed"}),
    ("response property maxLength increased", response(prop("name", maxLength=5)), response(prop("name", maxLength=9)),
     {"response-property-max-length-increased"}),
    ("response property maxLength unset", response(prop("name", maxLength=5)), response(OBJ),
     {"response-property-max-length-unset"}),
    ("response property min decreased", response(prop("age", minimum=5)), response(prop("age", minimum=0)),
     {"response-property-min-decreased"}),
    ("response property pattern added", response(OBJ), response(prop("name", pattern="^a")),
     {"response-property-pattern-added"}),
    ("response property became write-only", response(OBJ), response(prop("name", writeOnly=True)),
     {"response-required-property-became-write-only"}),
    ("response property default added", response(OBJ), response(prop("age", default=3)),
     {"response-property-default-value-added"}),
    ("response schema removed from media type", response(OBJ),
     spec({"/items": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {}}}}}}}),
     {"response-body-media-type-schema-removed"}),
    # response headers
    (
        "required response header removed",
        response(OBJ, headers={"X-Rate": {"required": True, "schema": {"type": "integer"}}}),
        response(OBJ, headers={}),
        {"required-response-header-removed"},
    ),
    ("optional response header removed", response(OBJ, headers={"X-Rate": {"schema": {"type": "integer"}}}),
     response(OBJ, headers={}), {"optional-response-header-removed"}),
    (
        "response header added",
        response(OBJ, headers={}),
        response(OBJ, headers={"X-Rate": {"schema": {"type": "integer"}}}),
        {"response-header-added"},
    ),
    (
        "response header became optional",
        response(OBJ, headers={"X-Rate": {"required": True, "schema": {"type": "integer"}}}),
        response(OBJ, headers={"X-Rate": {"schema": {"type": "integer"}}}),
        {"response-header-became-optional"},
    ),
    (
        "response header type became text",
        response(OBJ, headers={"X-Rate": {"schema": {"type": "integer"}}}),
        response(OBJ, headers={"X-Rate": {"schema": {"type": "string"}}}),
        {"response-header-type-compatible"},
    ),
    (
        "response header type widened",
        response(OBJ, headers={"X-Rate": {"schema": {"type": "integer"}}}),
        response(OBJ, headers={"X-Rate": {"schema": {"type": "number"}}}),
        {"response-header-type-generalized"},
    ),
    ("response header type changed", response(OBJ, headers={"X-Rate": {"schema": {"type": "integer"}}}),
     response(OBJ, headers={"X-Rate": {"schema": {"type": "boolean"}}}), {"response-header-type-changed"}),
]


@pytest.mark.parametrize(("name", "base", "revision", "expected"), CASES, ids=[case[0] for case in CASES])
def test_family(name, base, revision, expected):
    found = ids(base, revision)
    assert found == expected, name
    for change_id in expected:
        assert change_id in CHANGE_LEVELS


def _levels(base, revision) -> dict[str, str]:
    return {change.id: change.level for change in diff_specs(base, revision)}


def test_levels_follow_direction():
    """Request narrowing is breaking, response narrowing is not; and vice versa."""
    assert _levels(request(prop("name", enum=["a", "b"])), request(prop("name", enum=["a"])))[
        "request-property-enum-value-removed"
    ] == "ERR"
    assert _levels(response(prop("name", enum=["a", "b"])), response(prop("name", enum=["a"])))[
        "response-property-enum-value-removed"
    ] == "INFO"
    assert _levels(response(prop("name", enum=["a"])), response(prop("name", enum=["a", "b"])))[
        "response-property-enum-value-added"
    ] == "WARN"
    assert _levels(request(OBJ), request(obj(required=["name", "age"])))["request-property-became-required"] == "ERR"
    became_required = _levels(response(OBJ), response(obj(required=["name", "age"])))
    assert became_required["response-property-became-required"] == "INFO"
    assert _levels(request(OBJ), request(prop("name", nullable=True)))["request-property-became-nullable"] == "INFO"
    assert _levels(response(OBJ), response(prop("name", nullable=True)))["response-property-became-nullable"] == "ERR"


def test_messages_use_oasdiff_wording():
    changes = diff_specs(params(q(type="string", enum=["a", "b"])), params(q(type="string", enum=["a"])))
    assert [c.message for c in changes if c.id == "request-parameter-enum-value-removed"] == [
        "removed the enum value `b` from the `query` request parameter `limit`"
    ]
    changes = diff_specs(response(OBJ), response(obj(required=None)))
    assert changes[0].message == "the response property `name` became optional for the status `200`"
    assert changes[0].operation == "GET /items"
    assert changes[0].location == "/paths/~1items/get/responses/200/content/application~1json/schema/properties/name"


def test_removals_point_into_the_base_and_additions_into_the_revision():
    base = request(OBJ)
    revision = request(obj(properties={"age": {"type": "integer"}, "new": {"type": "string"}}, required=None))
    by_id = {change.id: change.location for change in diff_specs(base, revision)}
    assert by_id["request-property-removed"].endswith("/schema/properties/name")
    assert by_id["new-optional-request-property"].endswith("/schema/properties/new")
