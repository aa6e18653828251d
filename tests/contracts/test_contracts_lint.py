"""The Spectral-like lint ruleset: each rule fires on a broken document and not on a clean one (no DB).

Every case starts from a clean 2.0, 3.0 or 3.1 document that has no finding at all, changes one
thing, and expects that rule to report it at a given pointer.
"""

import copy
from pathlib import Path

import pytest

from apps.contracts.openapi import lint_base
from apps.contracts.openapi.lint import RULES, SEVERITIES, Finding, lint
from apps.contracts.openapi.load import load_spec
from apps.contracts.openapi.validate import validate_spec


def op(operation_id, **extra):
    return {"operationId": operation_id, "description": "Does it.", "tags": ["pets"],
            "responses": {"200": {"description": "ok"}}, **extra}


INFO = {"title": "Pets", "version": "1.0", "description": "Pet store.",
        "contact": {"name": "Team", "url": "https://team.test", "email": "team@team.test"},
        "license": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"}}
PET = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"}, "kind": {"type": "string", "enum": ["cat", "dog"], "example": "cat"}}}


def clean_v3(version="3.0.3"):
    media = {"schema": {"$ref": "#/components/schemas/Pet"}, "example": {"id": "1", "kind": "cat"}}
    return copy.deepcopy({
        "openapi": version, "info": INFO, "servers": [{"url": "https://api.pets.test/v1"}],
        "tags": [{"name": "pets", "description": "Pets."}], "security": [{"key": []}],
        "paths": {"/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "description": "Pet id.",
                            "schema": {"type": "string"}}],
            "get": op("getPet", responses={"200": {"description": "The pet.", "content": {"application/json": media}}}),
        }},
        "components": {"schemas": {"Pet": PET},
                       "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    })


def clean_v2():
    response = {"description": "The pet.", "schema": {"$ref": "#/definitions/Pet"},
                "examples": {"application/json": {"id": "1"}}}
    return copy.deepcopy({
        "swagger": "2.0", "info": INFO, "host": "api.pets.test", "basePath": "/v1", "schemes": ["https"],
        "consumes": ["application/json"], "produces": ["application/json"],
        "tags": [{"name": "pets", "description": "Pets."}], "security": [{"key": []}],
        "securityDefinitions": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "paths": {"/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "type": "string",
                            "description": "Pet id."}],
            "get": op("getPet", responses={"200": response}),
        }},
        "definitions": {"Pet": PET},
    })


BASES = {"v2": clean_v2, "v3": clean_v3, "v31": lambda: clean_v3("3.1.0")}


def item(d):
    return d["paths"]["/pets/{petId}"]


def get(d):
    return item(d)["get"]


def media(d):
    return get(d)["responses"]["200"]["content"]["application/json"]


def pet(d):
    return (d.get("components") or d)["schemas" if "components" in d else "definitions"]["Pet"]


QUERY = {"name": "q", "in": "query", "description": "Q.", "schema": {"type": "string"}}
GET = "/paths/~1pets~1{petId}/get"
HOOK = {"responses": {"200": {"description": "ok"}}}

# rule id -> (base document, change, pointer of the expected finding)
CASES = {
    "operation-operationId": ("v3", lambda d: get(d).pop("operationId"), GET),
    "operation-operationId-unique": ("v3", lambda d: item(d).update(post=op("getPet")),
                                     "/paths/~1pets~1{petId}/post/operationId"),
    "operation-operationId-valid-in-url": ("v3", lambda d: get(d).update(operationId="get pet"), GET + "/operationId"),
    "operation-description": ("v3", lambda d: get(d).pop("description"), GET),
    "operation-tags": ("v3", lambda d: get(d).pop("tags"), GET),
    "operation-singular-tag": ("v3", lambda d: (d["tags"].insert(0, {"name": "cats", "description": "Cats."}),
                                                get(d).update(tags=["cats", "pets"])), GET + "/tags"),
    "operation-tag-defined": ("v3", lambda d: get(d).update(tags=["birds"]), GET + "/tags/0"),
    "operation-success-response": ("v3", lambda d: get(d).update(responses={"404": {"description": "no"}}), GET),
    "operation-parameters": ("v3", lambda d: get(d).update(parameters=[QUERY, QUERY]), GET + "/parameters/1"),
    "path-params": ("v3", lambda d: item(d).pop("parameters"), GET),
    "path-declarations-must-exist": ("v3", lambda d: d["paths"].update({"/things/{}": {}}), "/paths/~1things~1{}"),
    "path-keys-no-trailing-slash": ("v3", lambda d: d["paths"].update({"/things/": {}}), "/paths/~1things~1"),
    "path-not-include-query": ("v3", lambda d: d["paths"].update({"/things?x=1": {}}), "/paths/~1things?x=1"),
    "no-eval-in-markdown": ("v3", lambda d: d["info"].update(description="Try eval(alert(1))."), "/info/description"),
    "no-script-tags-in-markdown": ("v3", lambda d: get(d).update(description="<SCRIPT>alert(1)</script>"),
                                   GET + "/description"),
    "info-contact": ("v3", lambda d: d["info"].pop("contact"), "/info"),
    "info-description": ("v3", lambda d: d["info"].update(description="  "), "/info"),
    "info-license": ("v3", lambda d: d["info"].pop("license"), "/info"),
    "license-url": ("v3", lambda d: d["info"]["license"].pop("url"), "/info/license"),
    "contact-properties": ("v3", lambda d: d["info"]["contact"].pop("email"), "/info/contact"),
    "openapi-tags": ("v3", lambda d: d.update(tags=[]), ""),
    "openapi-tags-alphabetical": ("v3", lambda d: d["tags"].append({"name": "cats", "description": "Cats."}),
                                  "/tags/1"),
    "openapi-tags-uniqueness": ("v3", lambda d: d["tags"].append(dict(d["tags"][0])), "/tags/1/name"),
    "tag-description": ("v3", lambda d: d["tags"][0].pop("description"), "/tags/0"),
    "oas3-api-servers": ("v3", lambda d: d.pop("servers"), ""),
    "oas3-server-trailing-slash": ("v3", lambda d: d["servers"][0].update(url="https://api.pets.test/v1/"),
                                   "/servers/0/url"),
    "oas3-server-not-example.com": ("v3", lambda d: d["servers"][0].update(url="https://api.example.com/v1"),
                                    "/servers/0/url"),
    "oas3-server-variables": ("v3", lambda d: get(d).update(servers=[{"url": "https://{region}.pets.test"}]),
                              GET + "/servers/0/url"),
    "oas2-api-host": ("v2", lambda d: d.pop("host"), ""),
    "oas2-api-schemes": ("v2", lambda d: d.update(schemes=[]), ""),
    "oas2-host-trailing-slash": ("v2", lambda d: d.update(host="api.pets.test/"), "/host"),
    "oas2-operation-formData-consume-check": (
        "v2", lambda d: get(d).update(parameters=[{"name": "f", "in": "formData", "type": "string",
                                                   "description": "F."}]), GET),
    "oas3-operation-security-defined": ("v3", lambda d: get(d).update(security=[{"oauth": ["read"]}]),
                                        GET + "/security/0/oauth"),
    "oas2-operation-security-defined": ("v2", lambda d: d.update(security=[{"missing": []}]), "/security/0/missing"),
    "oas3-callbacks-in-callbacks": (
        "v3", lambda d: get(d).update(callbacks={"onEvent": {"{$request.body#/url}": {"post": {**HOOK,
                                                                                            "callbacks": {}}}}}),
        GET + "/callbacks/onEvent/{$request.body#~1url}/post/callbacks"),
    "oas3_1-servers-in-webhook": (
        "v31", lambda d: d.update(webhooks={"added": {"post": {**HOOK, "servers": [{"url": "https://h.pets.test"}]}}}),
        "/webhooks/added/post/servers"),
    "oas3_1-callbacks-in-webhook": ("v31", lambda d: d.update(webhooks={"added": {"post": {**HOOK, "callbacks": {}}}}),
                                    "/webhooks/added/post/callbacks"),
    "typed-enum": ("v3", lambda d: pet(d)["properties"]["kind"].update(enum=["cat", 1]),
                   "/components/schemas/Pet/properties/kind/enum/1"),
    "duplicated-entry-in-enum": ("v3", lambda d: pet(d)["properties"]["kind"].update(enum=["cat", "dog", "cat"]),
                                 "/components/schemas/Pet/properties/kind/enum/2"),
    "array-items": ("v3", lambda d: pet(d)["properties"].update(tags={"type": "array"}),
                    "/components/schemas/Pet/properties/tags"),
    "no-$ref-siblings": ("v3", lambda d: media(d)["schema"].update(description="The pet."),
                         GET + "/responses/200/content/application~1json/schema/description"),
    "oas2-anyOf": ("v2", lambda d: pet(d)["properties"].update(x={"anyOf": [{"type": "string"}]}),
                   "/definitions/Pet/properties/x/anyOf"),
    "oas2-oneOf": ("v2", lambda d: pet(d)["properties"].update(x={"oneOf": [{"type": "string"}]}),
                   "/definitions/Pet/properties/x/oneOf"),
    "oas2-discriminator": ("v2", lambda d: pet(d).update(discriminator="kind"), "/definitions/Pet/discriminator"),
    "oas3-unused-component": ("v3", lambda d: d["components"]["schemas"].update(Unused={"type": "string"}),
                              "/components/schemas/Unused"),
    "oas2-unused-definition": ("v2", lambda d: d["definitions"].update(Unused={"type": "string"}),
                               "/definitions/Unused"),
    "oas3-valid-media-example": ("v3", lambda d: media(d).update(example={"id": 1}),
                                 GET + "/responses/200/content/application~1json/example"),
    "oas3-valid-schema-example": ("v3", lambda d: pet(d)["properties"]["kind"].update(example="bird"),
                                  "/components/schemas/Pet/properties/kind/example"),
    "oas2-valid-schema-example": ("v2", lambda d: pet(d)["properties"]["kind"].update(default=5),
                                  "/definitions/Pet/properties/kind/default"),
    "oas2-valid-media-example": ("v2", lambda d: get(d)["responses"]["200"]["examples"].update(
        {"application/json": {"kind": "cat"}}), GET + "/responses/200/examples/application~1json"),
    "oas3-examples-value-or-externalValue": (
        "v3", lambda d: (media(d).pop("example"), media(d).update(examples={"one": {"summary": "no value"}})),
        GET + "/responses/200/content/application~1json/examples/one"),
    "oas3-parameter-description": ("v3", lambda d: item(d)["parameters"][0].pop("description"),
                                   "/paths/~1pets~1{petId}/parameters/0"),
    "oas2-parameter-description": ("v2", lambda d: item(d)["parameters"][0].pop("description"),
                                   "/paths/~1pets~1{petId}/parameters/0"),
}


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_clean_documents_are_valid_and_have_no_findings(base):
    document = BASES[base]()
    assert lint(document) == []
    text = repr(document).encode()  # a Python literal is YAML flow style enough for these documents
    assert validate_spec(load_spec(text.replace(b"True", b"true"))) == []


def test_every_rule_has_a_case():
    assert sorted(CASES) == sorted(rule.id for rule in RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_each_rule_reports_its_problem_where_it_is(rule_id):
    base, change, pointer = CASES[rule_id]
    document = BASES[base]()
    change(document)
    found = [finding for finding in lint(document) if finding.rule == rule_id]
    assert [finding.pointer for finding in found][:1] == [pointer], found
    rule = next(rule for rule in RULES if rule.id == rule_id)
    assert all(finding.severity == rule.severity and finding.message for finding in found)
    assert rule_id not in {finding.rule for finding in lint(BASES[base]())}  # and not on the clean one


@pytest.mark.parametrize(("base", "change", "rule_id"), [
    ("v3", lambda d: d["paths"].update({"/": {}}), "path-keys-no-trailing-slash"),
    ("v3", lambda d: d["servers"][0].update(url="/"), "oas3-server-trailing-slash"),
    ("v3", lambda d: get(d).update(responses={"2XX": {"description": "ok"}}), "operation-success-response"),
    ("v3", lambda d: get(d).update(responses={"302": {"description": "moved"}}), "operation-success-response"),
    ("v3", lambda d: pet(d)["properties"]["kind"].update(nullable=True, enum=["cat", None]), "typed-enum"),
    ("v3", lambda d: pet(d)["properties"]["kind"].update(type="number", enum=[1, 2.5]), "typed-enum"),
    ("v3", lambda d: pet(d)["properties"]["kind"].update(type="integer", enum=[1, True]), "duplicated-entry-in-enum"),
    ("v31", lambda d: media(d)["schema"].update(description="The pet."), "no-$ref-siblings"),
    ("v3", lambda d: (d["components"]["schemas"].update(Dog={"type": "object"}), pet(d).update(
        discriminator={"propertyName": "kind", "mapping": {"dog": "#/components/schemas/Dog"}})),
     "oas3-unused-component"),
    ("v3", lambda d: item(d).update(post=op("addPet")), "operation-operationId-unique"),
    ("v3", lambda d: get(d).update(parameters=[QUERY, {**QUERY, "in": "header"}]), "operation-parameters"),
    ("v3", lambda d: media(d).update(example={"id": "2", "kind": "dog"}), "oas3-valid-media-example"),
    ("v3", lambda d: (media(d).pop("example"), media(d).update(examples={"one": {"value": {"id": "3"}}})),
     "oas3-valid-media-example"),
    ("v3", lambda d: (media(d).pop("example"), media(d).update(examples={"one": {"externalValue": "https://x.test"}})),
     "oas3-examples-value-or-externalValue"),
    ("v3", lambda d: pet(d)["properties"].update(example={"type": "string"}), "oas3-valid-schema-example"),
])
def test_near_misses_are_not_reported(base, change, rule_id):
    document = BASES[base]()
    change(document)
    assert rule_id not in {finding.rule for finding in lint(document)}


def test_more_path_param_problems():
    document = clean_v3()
    document["paths"]["/pets/{id}"] = {"get": op("other", parameters=[
        {"name": "id", "in": "path", "description": "Id.", "schema": {"type": "string"}},
        {"name": "ghost", "in": "path", "required": True, "description": "Ghost.", "schema": {"type": "string"}}])}
    document["paths"]["/pets/{a}/{a}"] = {}
    messages = [(f.pointer, f.message) for f in lint(document) if f.rule == "path-params"]
    assert messages == [
        ("/paths/~1pets~1{id}", "path '/pets/{id}' is equivalent to '/pets/{petId}'"),
        ("/paths/~1pets~1{a}~1{a}", "path '/pets/{a}/{a}' uses the parameter {a} more than once"),
        ("/paths/~1pets~1{id}/get/parameters/0", "path parameter 'id' must have 'required: true'"),
        ("/paths/~1pets~1{id}/get/parameters/1", "path parameter 'ghost' is declared but '/pets/{id}' has no {ghost}"),
    ]


def test_severities_override_and_off():
    document = clean_v3()
    document["info"].pop("contact")
    get(document).pop("description")
    default = {f.rule: f.severity for f in lint(document)}
    assert default == {"info-contact": "warn", "operation-description": "warn"}
    overridden = lint(document, severities={"info-contact": "off", "operation-description": "error"})
    assert [(f.rule, f.severity) for f in overridden] == [("operation-description", "error")]
    assert {f.severity for f in lint(document, severities={"info-contact": "hint"}) if f.rule == "info-contact"} == {
        "info"}
    assert lint(document, severities={rule.id: "off" for rule in RULES}) == []
    with pytest.raises(ValueError, match="unknown lint rule"):
        lint(document, severities={"info-contactt": "off"})
    with pytest.raises(ValueError, match="severity must be one of"):
        lint(document, severities={"info-contact": "fatal"})


def test_findings_carry_lines_from_the_line_map():
    loaded = load_spec(b"openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a/:\n    get:\n"
                       b"      responses: {'200': {description: ok}}\n")
    findings = {f.rule: f for f in lint(loaded.document, lines=loaded.lines)}
    assert findings["path-keys-no-trailing-slash"] == Finding(
        "path-keys-no-trailing-slash", "warn", "path '/a/' ends with a slash", "/paths/~1a~1", 6)
    assert findings["operation-operationId"].line == 7
    assert findings["info-contact"].line == 2


def test_rules_metadata():
    ids = [rule.id for rule in RULES]
    assert len(ids) >= 25 and len(set(ids)) == len(ids)
    assert all(rule.severity in SEVERITIES and rule.description and rule.formats <= lint_base.ALL for rule in RULES)
    assert {rule.id for rule in RULES if not rule.recommended} <= {rule.id for rule in RULES if rule.severity == "info"}
    named_in_the_issue = {
        "operation-operationId", "operation-operationId-unique", "operation-operationId-valid-in-url",
        "operation-description", "operation-tags", "operation-tag-defined", "operation-success-response",
        "operation-parameters", "path-params", "path-declarations-must-exist", "path-keys-no-trailing-slash",
        "path-not-include-query", "no-eval-in-markdown", "no-script-tags-in-markdown", "info-contact",
        "info-description", "info-license", "license-url", "openapi-tags", "openapi-tags-alphabetical",
        "openapi-tags-uniqueness", "tag-description", "oas3-api-servers", "oas3-server-trailing-slash",
        "oas3-unused-component", "oas2-unused-definition", "oas3-valid-media-example", "oas3-valid-schema-example",
        "duplicated-entry-in-enum", "typed-enum", "oas3-operation-security-defined", "oas2-operation-security-defined",
        "array-items"}
    assert named_in_the_issue <= set(ids)


def test_a_rule_that_crashes_becomes_one_info_finding(monkeypatch):
    rule, _ = lint_base.REGISTRY["info-contact"]

    def broken(ctx):
        raise KeyError("boom")

    monkeypatch.setitem(lint_base.REGISTRY, "info-contact", (rule, broken))
    assert [f for f in lint(clean_v3()) if f.rule == "info-contact"] == [
        Finding("info-contact", "info", "rule could not run on this document: KeyError: 'boom'", "", None)]


@pytest.mark.parametrize("document", [None, [], "openapi", {}, {"openapi": "9.9"}])
def test_documents_that_are_not_specs_have_no_findings(document):
    assert lint(document) == []


def test_oauth2_scopes_must_be_defined_by_the_scheme():
    document = clean_v3()
    document["components"]["securitySchemes"]["oauth"] = {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://auth.pets.test/token", "scopes": {"read": "Read pets."}}}}
    get(document)["security"] = [{"oauth": ["read", "write"]}]
    assert [(f.pointer, f.message) for f in lint(document) if f.rule == "oas3-operation-security-defined"] == [
        (GET + "/security/0/oauth/1", "scope 'write' is not defined by security scheme 'oauth'")]


REAL = Path(__file__).resolve().parent.parent / "fixtures" / "contracts" / "openapi-real"


@pytest.mark.parametrize("name", sorted(str(path.relative_to(REAL)) for path in REAL.rglob("*")
                                        if path.suffix in (".json", ".yaml") and path.name != "expected.json"
                                        and "multi-file" not in path.parts and path.stat().st_size < 3_000_000))
def test_every_rule_runs_on_the_real_corpus(name):
    loaded = load_spec((REAL / name).read_bytes())
    findings = lint(loaded.document, lines=loaded.lines)
    assert not [f for f in findings if "could not run" in f.message]
    assert all(f.line for f in findings)
