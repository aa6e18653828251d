"""Validating OpenAPI documents: the must-reject corpus, the real corpus, refs, lines (no DB).

Fixtures: ``tests/fixtures/contracts/`` (copies of the shared corpora; origins and the source's
assertions in each folder's README.md and expected.json).
"""

import io
import json
import socket
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from apps.contracts.openapi.load import SpecError, load_spec, load_zip
from apps.contracts.openapi.validate import Issue, validate_spec

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "contracts"
INVALID = FIXTURES / "openapi-invalid"
REAL = FIXTURES / "openapi-real"
EXPECTED_INVALID = json.loads((INVALID / "expected.json").read_text())
EXPECTED_REAL = json.loads((REAL / "expected.json").read_text())
BIG = {"vendor/stripe-spec3-2023-09-12.yaml", "vendor/osv-bench-kubernetes.yaml"}


def outcome(path: Path) -> tuple[str | None, list[Issue]]:
    """(the SpecError message if the file can't be loaded, the error issues otherwise)."""
    try:
        loaded = load_spec(path.read_bytes(), filename=path.name)
    except SpecError as exc:
        return str(exc), []
    return None, [issue for issue in validate_spec(loaded) if issue.severity == "error"]


def validate_text(text: str) -> list[Issue]:
    return validate_spec(load_spec(text.encode(), filename="spec.yaml"))


# What the source asserts (expected.json's expected_errors / expected_basis), as checks on our messages:
# ("exact", n, message): exactly n errors, the first equal to message; ("count", n, part): exactly n errors, each
# containing part; ("first", part): the first error contains part; ("any", part): some error contains part;
# ("none", part): at least one error and none contains part; ("refused", part): a SpecError containing part.
ASSERTED = {
    "osv-files/empty.yaml": ("refused", "spec version cannot be detected"),
    "osv-inline/osv-empty.json": ("refused", "'openapi' is a required property"),
    "osv-files/v2.0-empty.yaml": ("first", "'info' is a required property"),
    "osv-files/v3.0-empty.yaml": ("first", "'info' is a required property"),
    "osv-files/v2.0-missing-reference.yaml": ("first", "unresolvable $ref 'definitions/Pets'"),
    "osv-files/v3.0-property-missing-reference.yaml": ("count", 1, "unresolvable $ref '<some-broken-uri>'"),
    "osv-files/v3.0-missing-description.yaml": ("count", 1, "'description' is a required property"),
    "osv-inline/osv-info-empty.json": ("first", "'title' is a required property"),
    "osv-inline/osv-same-operation-ids.json": ("count", 2, "Operation ID 'operation1'"),
    "osv-inline/osv-undocumented-parameter.json": (
        "exact", 1, "Path parameter 'param2' for 'get' operation in '/test/{param1}/{param2}' was not resolved"),
    "osv-inline/osv-extra-path-parameter-not-present-in-path.json": (
        "exact", 1, "Path parameter 'param1' for 'get' operation in '/test' was not resolved"),
    "osv-inline/osv-default-value-wrong-type.json": ("exact", 1, "'invaldtype' is not of type 'integer'"),
    "osv-inline/osv-parameter-default-value-wrong-type.json": ("exact", 1, "'invaldtype' is not of type 'integer'"),
    "osv-inline/osv-parameter-default-value-wrong-type-swagger.json": (
        "exact", 1, "'invaldtype' is not of type 'integer'"),
    "osv-inline/osv-malformed-property-schema.json": ("count", 1, "'string' is not of type 'object', 'boolean'"),
    "osv-inline/osv-oas31-query-operation-is-not-semantically-traversed.json": ("none", "Path parameter 'item_id'"),
    "osv-inline/osv-oas31-additional-operations-are-not-semantically-traversed.json": (
        "none", "Path parameter 'item_id'"),
    "osv-inline/osv-query-operation-is-semantically-validated.json": ("count", 1, "Path parameter 'item_id'"),
    "osv-inline/osv-additional-operations-are-semantically-validated.json": ("count", 1, "Path parameter 'item_id'"),
    "osv-inline/osv-top-level-duplicate-tags-are-invalid.json": ("exact", 1, "Duplicate tag name 'pets'"),
    "osv-inline/osv-tag-hierarchy-fails-for-unknown-parent.json": (
        "exact", 1, "Tag 'partner' references unknown parent tag 'external'"),
    "osv-inline/osv-tag-hierarchy-fails-for-circular-reference.json": (
        "any", "Circular tag hierarchy detected: a -> b -> c -> a"),
    # The OAI's schema tests assert only "does not match the schema"; these are the key parts of ours.
    "oai-3.1-schema-fail/example-examples.yaml": ("count", 1, "'example' and 'examples' are mutually exclusive"),
    "oai-3.1-schema-fail/header-object-allowReserved.yaml": ("count", 1, "'allowReserved' was unexpected"),
    "oai-3.1-schema-fail/invalid_schema_types.yaml": ("count", 3, "is not of type 'object', 'boolean'"),
    "oai-3.1-schema-fail/link-object-no-body.yaml": ("count", 1, "Link Object has an unknown field 'body'"),
    "oai-3.1-schema-fail/no_containers.yaml": ("exact", 1, "one of 'components', 'paths', 'webhooks' is required"),
    "oai-3.1-schema-fail/parameter-object-cookie-form-allowReserved.yaml": ("any", "'allowReserved' was unexpected"),
    "oai-3.1-schema-fail/parameter-object-header-allowReserved.yaml": ("count", 1, "'allowReserved' was unexpected"),
    "oai-3.1-schema-fail/parameter-object-path-allowReserved.yaml": ("any", "'allowReserved' was unexpected"),
    "oai-3.1-schema-fail/server_enum_empty.yaml": ("count", 1, "[] should be non-empty"),
    "oai-3.1-schema-fail/servers.yaml": ("count", 1, "is not of type 'array'"),
    "oai-3.1-schema-fail/unknown_container.yaml": ("any", "'overlays' was unexpected"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_INVALID))
def test_every_must_reject_file_is_rejected_and_every_control_accepted(name):
    refused, errors = outcome(INVALID / name)
    if not EXPECTED_INVALID[name]["must_be_rejected"]:
        assert (refused, errors) == (None, [])
        return
    assert refused or errors
    if refused is None:
        assert all(issue.line and issue.message for issue in errors)  # every error located
    check = ASSERTED.get(name, ("any", ""))
    kind, rest = check[0], check[1:]
    messages = [issue.message for issue in errors]
    if kind == "refused":
        assert refused is not None and rest[0] in refused
    elif kind == "exact":
        assert len(messages) == rest[0] and messages[0] == rest[1], messages
    elif kind == "count":
        assert len(messages) == rest[0] and all(rest[1] in message for message in messages), messages
    elif kind == "first":
        assert rest[0] in messages[0], messages
    elif kind == "any":
        assert any(rest[0] in message for message in messages), messages
    elif kind == "none":
        assert messages and not any(rest[0] in message for message in messages), messages


def test_the_asserted_table_covers_every_file_with_asserted_errors():
    asserted = {name for name, entry in EXPECTED_INVALID.items() if entry.get("expected_errors")}
    unchecked = asserted - set(ASSERTED)
    # Only "at least one error" is asserted for these (parametrised malformed-schema cases).
    assert unchecked == {name for name in asserted if "malformed-schema-" in name}


@pytest.mark.parametrize("name", sorted(name for name in EXPECTED_REAL if not name.startswith("multi-file/")
                                        and name not in BIG))
def test_real_specs_validate_as_their_source_and_osv_say(name):
    entry = EXPECTED_REAL[name]
    refused, errors = outcome(REAL / name)
    assert refused is None
    if entry["expected"]["must_validate"] is True:
        assert errors == []
    osv = entry["computed_openapi_spec_validator_0_9_0"]
    assert (errors == []) == (osv == "valid"), [issue.message for issue in errors]
    if osv != "valid":
        assert any(osv.split(": ", 2)[-1] in issue.message for issue in errors)


def test_stripe_and_kubernetes_validate():
    """The slow one: the two biggest specs validate (osv 0.9.0 says valid; nothing asserted by their sources)."""
    for name in sorted(BIG):
        start = time.perf_counter()
        refused, errors = outcome(REAL / name)
        assert (refused, errors) == (None, []), name
        assert time.perf_counter() - start < 30


def test_the_multi_file_spec_validates_once_bundled():
    base = REAL / "multi-file" / "osv-petstore-separate"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(base.rglob("*")):
            if path.is_file():
                archive.writestr(str(path.relative_to(base)), path.read_bytes())
    assert validate_spec(load_zip(buffer.getvalue())) == []


def test_an_error_in_a_bundled_file_points_at_that_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("openapi.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                                         "      responses:\n        '200':\n          description: ok\n"
                                         "          content:\n            application/json:\n"
                                         "              schema: {$ref: 'schemas/pet.yaml'}\n")
        archive.writestr("schemas/pet.yaml", "type: object\nproperties:\n  name:\n    type: string\n    minLength: x\n")
    issues = validate_spec(load_zip(buffer.getvalue()))
    assert [(i.message, i.pointer, i.file, i.line) for i in issues] == [
        ("'x' is not of type 'integer'", "/components/schemas/pet/properties/name/minLength", "schemas/pet.yaml", 5)]


# --- errors are located ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "pointer", "line"), [
    ("osv-files/v3.0-missing-description.yaml", "/paths/~1/get/responses/200", 14),
    ("osv-files/v2.0-missing-reference.yaml", "/paths/~1pets/get/responses/200/schema/$ref", 37),
    ("osv-files/v2.0-missing-reference.yaml", "/paths/~1pets/get/responses/default/schema/$ref", 41),
    ("osv-inline/osv-info-empty.json", "/info", 3),
    ("osv-inline/osv-parameter-default-value-wrong-type.json", "/paths/~1test~1{param1}/parameters/0/schema/default",
     22),
    ("osv-inline/osv-same-operation-ids.json", "/paths/~1test2/get", 27),
    ("oai-3.1-schema-fail/server_enum_empty.yaml", "/servers/0/variables/var/enum", 13),
    ("oai-3.1-schema-fail/link-object-no-body.yaml", "/components/links/Link-Object-with-body-property/body", 10),
])
def test_hand_picked_errors_point_at_the_right_line(name, pointer, line):
    _, errors = outcome(INVALID / name)
    found = [issue for issue in errors if issue.pointer == pointer]
    assert found and found[0].line == line, [(i.pointer, i.line) for i in errors]
    source = (INVALID / name).read_text().splitlines()
    key = pointer.rsplit("/", 1)[-1].replace("~1", "/")
    assert key in source[line - 1]


def test_an_error_inside_a_referenced_schema_points_at_the_schema_not_the_ref():
    issues = validate_text("""\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, schema: {$ref: '#/components/schemas/Q'}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Q:
      type: integer
      default: ten
""")
    assert [(i.message, i.pointer, i.line) for i in issues] == [
        ("'ten' is not of type 'integer'", "/components/schemas/Q/default", 13)]


# --- references ------------------------------------------------------------------------------------------------------

SPEC = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"


@pytest.mark.parametrize(("schemas", "expected"), [
    ("    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
     [("ref-circular", "/components/schemas/A/$ref",
       "circular $ref '#/components/schemas/B': #/components/schemas/B -> #/components/schemas/A -> "
       "#/components/schemas/B never reaches a definition")]),
    ("    A: {$ref: '#/components/schemas/A'}\n",
     [("ref-circular", "/components/schemas/A/$ref",
       "circular $ref '#/components/schemas/A': #/components/schemas/A -> #/components/schemas/A never reaches a "
       "definition")]),
    ("    Node:\n      type: object\n      properties:\n        next: {$ref: '#/components/schemas/Node'}\n", []),
    ("    A: {$ref: '#/components/schemas/Missing'}\n",
     [("ref-unresolvable", "/components/schemas/A/$ref",
       "unresolvable $ref '#/components/schemas/Missing': no 'Missing' under '#/components/schemas'")]),
    ("    A: {$ref: '#nowhere'}\n",
     [("ref-unresolvable", "/components/schemas/A/$ref", "unresolvable $ref '#nowhere': no $anchor 'nowhere' in the "
                                                         "document")]),
    ("    A: {$anchor: here, type: string}\n    B: {$ref: '#here'}\n", []),
    ("    A: {$id: 'https://schemas.test/a', type: string}\n    B: {$ref: 'https://schemas.test/a'}\n", []),
    ("    A:\n      type: object\n      example: {$ref: 'http://169.254.169.254/'}\n"
     "      properties:\n        $ref: {type: string}\n        default: {type: string}\n", []),
    ("    A: {$ref: 'schemas/a.yaml'}\n",
     [("ref-external-file", "/components/schemas/A/$ref", "unresolvable $ref 'schemas/a.yaml': it names another "
       "file, which a single-file upload doesn't have (upload the files as a zip to bundle them)")]),
], ids=["cycle", "self", "recursive-schema-ok", "missing", "anchor-missing", "anchor-ok", "id-ok", "literal-data",
        "other-file"])
def test_reference_checks(schemas, expected):
    issues = validate_text(SPEC + schemas)
    assert [(i.rule, i.pointer, i.message) for i in issues if i.rule.startswith("ref-")] == expected


@pytest.mark.parametrize("ref", ["http://169.254.169.254/latest/meta-data/iam/", "https://attacker.test/x.yaml",
                                 "file:///etc/passwd", "/etc/passwd", "../../outside.yaml", "//attacker.test/x"])
def test_remote_and_file_refs_are_reported_never_fetched(ref, monkeypatch):
    import builtins

    from apps.contracts.openapi import validate as engine

    validate_text(SPEC + "    A: {type: string}\n")  # warm every lazy import before the tripwires go up

    def tripwire(*args, **kwargs):
        raise AssertionError(f"tried to reach {args!r}")

    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if any(part in str(file) for part in ("passwd", "outside", "attacker")):
            raise AssertionError(f"file read attempted: {file!r}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", tripwire)
    monkeypatch.setattr(socket, "create_connection", tripwire)
    monkeypatch.setattr(socket, "getaddrinfo", tripwire)
    monkeypatch.setattr(urllib.request, "urlopen", tripwire)
    monkeypatch.setattr(builtins, "open", guarded_open)
    fetched = []
    monkeypatch.setattr(engine, "_nothing", lambda uri: fetched.append(uri) or {})
    for version in ("3.0.3", "3.1.0"):
        schema = f"    A:\n      type: object\n      properties:\n        b: {{$ref: '{ref}'}}\n"
        spec = SPEC.replace("3.1.0", version) + schema
        issues = validate_text(spec)
        refs = [i for i in issues if i.rule.startswith("ref-")]
        assert len(refs) == 1 and ref in refs[0].message and refs[0].line == 9, issues
        assert refs[0].message.startswith("unresolvable $ref")
    # openapi-spec-validator asked our resolver (which returns an empty schema) instead of fetching anything.
    assert fetched and all(ref.lstrip("/").split("/")[0] in uri or ref in uri for uri in fetched)


def test_validation_does_not_keep_specs_alive_in_osv_cache():
    """SpecValidator.iter_errors is lru_cache'd on the instance: calling it would retain every spec forever."""
    from openapi_spec_validator.validation.validators import SpecValidator

    cache = SpecValidator.iter_errors.__wrapped__
    before = cache.cache_info().currsize
    validate_text(SPEC + "    A: {type: string}\n")
    assert cache.cache_info().currsize == before


def test_structural_errors_are_all_reported_with_readable_messages():
    issues = validate_text("""\
openapi: 3.0.3
info: {title: t}
servers: {url: /v1}
paths:
  /a:
    get:
      responses:
        '200': {content: {}}
""")
    assert [(i.message, i.pointer, i.line, i.rule) for i in issues] == [
        ("'version' is a required property", "/info", 2, "oas-schema"),
        ("{'url': '/v1'} is not of type 'array'", "/servers", 3, "oas-schema"),
        ("'description' is a required property", "/paths/~1a/get/responses/200", 8, "oas-schema"),
    ]


def test_the_benchmark_measures_both_sides():
    from apps.contracts.openapi.bench_validate import measure

    result = measure(REAL / "oai-examples/v3.0-petstore.yaml", repeat=0)
    assert (result["operations"], result["issues"], result["osv_result"]) == (3, 0, "valid")
    assert result["ours_s"] > 0 and result["osv_validate_s"] > 0 and result["ours_peak_bytes"] > 0
