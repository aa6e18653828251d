"""The contracts app through its doors: the contract kit (pages and API by role), uploading versions
(202, processed by the worker, valid or invalid with located errors), the operation index, the diff
of two versions, the CI check, the docs and spec pages — and bad uploads made invalid, never a crash."""

import io
import json
import zipfile

import pytest

from apps.contracts import services
from apps.contracts.models import Contract, ContractVersion, LintSetting
from apps.core.kit import kit_for
from tests.kit import KitTests, assert_queries, expected_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/projects/payments-api/contracts"


def spec(version="1.0.0", *, extra_property=True, required_name=False, drop_get=False) -> bytes:
    pet = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    if extra_property:
        pet["properties"]["tag"] = {"type": "string"}
    if required_name:
        pet["required"] = ["name"]
    pet_body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
    created = {"201": {"description": "Created"}}
    paths = {"/pets": {"post": {"operationId": "createPet", "summary": "Add a pet", "tags": ["pets"],
                                "requestBody": pet_body, "responses": created}}}  # fmt: skip
    if not drop_get:
        paths["/pets/{petId}"] = {"get": {
            "operationId": "getPet", "summary": "One pet", "tags": ["pets"],
            "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The pet", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}  # fmt: skip
    document = {"openapi": "3.0.3", "info": {"title": "Petstore", "version": version}, "paths": paths,
                "components": {"schemas": {"Pet": pet}}}  # fmt: skip
    return json.dumps(document).encode()


@pytest.fixture
def contract(project, users):
    return kit_for(Contract).create(project=project, actor=users["owner"], values={"slug": "pets", "name": "Pets"})


def upload(api, data, query="", content_type="application/json"):
    return api.post(f"{BASE}/pets/versions/{query}", data, content_type=content_type)


class TestContractKit(KitTests):
    model = Contract
    create_data = {"slug": "orders", "name": "Orders API"}
    update_data = {"slug": "contract-0", "name": "Orders API v2"}
    api_create_data = {"slug": "billing", "name": "Billing"}
    api_update_data = {"name": "Billing 2"}
    queries = {"list": 7, "detail": 7, "api-list": 5, "api-detail": 4}

    def make(self, project, users, number):
        values = {"slug": f"contract-{number}", "name": f"Contract {number}"}
        return kit_for(Contract).create(project=project, actor=users["owner"], values=values)


class TestLintSettingKit(KitTests):
    model = LintSetting
    create_data = {"rule": "info-contact", "severity": "off"}
    update_data = {"rule": "operation-description", "severity": "error"}
    queries = {"list": 7, "detail": 6, "api-list": 4, "api-detail": 3}

    def make(self, project, users, number):
        from apps.contracts.openapi.lint import RULES

        rule = sorted(r.id for r in RULES)[number + 2]
        return kit_for(LintSetting).create(project=project, actor=users["owner"],
                                           values={"rule": rule, "severity": "warn"})  # fmt: skip


def test_an_upload_is_accepted_at_once_then_processed(api_as, contract, django_capture_on_commit_callbacks):
    api = api_as("member")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, spec())
    assert response.status_code == 202, response.content
    body = api.get(f"{BASE}/pets/versions/{response.json()['id']}/").json()
    assert body["status"] == "valid" and body["operations_count"] == 2 and body["label"] == "1.0.0"
    assert body["spec_version"].startswith("3.0") and body["errors"] == []
    ops = api.get(f"{BASE}/pets/versions/{response.json()['id']}/operations/?tag=pets").json()
    assert sorted((op["method"], op["path"]) for op in ops) == [("get", "/pets/{petId}"), ("post", "/pets")]


def test_a_breaking_change_is_found_and_the_check_fails_ci(api_as, contract, django_capture_on_commit_callbacks):
    api = api_as("member")
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(api, spec("1.0.0")).json()
        second = upload(api, spec("2.0.0", drop_get=True)).json()
    version = ContractVersion.objects.get(pk=second["id"])
    assert version.status == "valid" and version.breaking is True
    diff = api.get(f"{BASE}/pets/diff/?base={first['id']}&revision={second['id']}").json()
    assert diff["breaking"] is True
    assert any(c["id"] == "api-path-removed-without-deprecation" and c["level"] == "ERR" for c in diff["changes"])
    assert all(set(c) == {"id", "level", "operation", "location", "message"} for c in diff["changes"])
    check = api.post(f"{BASE}/pets/check/?base=latest&fail_on=ERR", spec("3.0.0", drop_get=True),
                     content_type="application/json")  # fmt: skip
    assert check.status_code == 200 and check.json()["fail"] is False and check.json()["base"] == second["id"]
    check = api.post(f"{BASE}/pets/check/?base={first['id']}", spec("3.0.0", drop_get=True),
                     content_type="application/json")  # fmt: skip
    assert check.json()["fail"] is True
    assert ContractVersion.objects.count() == 2  # the check stores nothing


@pytest.mark.parametrize("data, needle", [
    (b"openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {}\n", "id"),
    (b"not: a spec\n", ""),
    (b"\xff\xfe\x00garbage", ""),
    (b"a: &a [1]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n", ""),
    (b'{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {"responses": '
     b'{"200": {"description": "ok", "content": {"application/json": {"schema": '
     b'{"$ref": "http://169.254.169.254/x"}}}}}}}}}', ""),
])  # fmt: skip
def test_bad_specs_make_an_invalid_version_with_a_reason(api_as, contract, django_capture_on_commit_callbacks,
                                                         data, needle):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_as("member"), data, content_type="application/octet-stream")
    assert response.status_code == 202
    version = ContractVersion.objects.get(pk=response.json()["id"])
    assert version.status == "invalid" and version.errors and version.errors[0]["message"]
    assert needle in json.dumps(version.errors)
    assert not version.operations.exists()


def test_a_zip_of_files_with_relative_refs_is_bundled(api_as, contract, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("openapi.yaml", "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\npaths:\n  /pets:\n"
                         "    get:\n      responses:\n        '200':\n          description: ok\n          content:\n"
                         "            application/json:\n              schema: {$ref: 'schemas/pet.yaml'}\n")
        archive.writestr("schemas/pet.yaml", "type: object\nproperties:\n  id: {type: integer}\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_as("member"), buffer.getvalue(), content_type="application/zip")
    version = ContractVersion.objects.get(pk=response.json()["id"])
    assert version.status == "valid", version.errors
    assert version.operations_count == 1


def test_uploads_by_role_and_limits(api_as, contract, settings):
    for role in ("owner", "member", "viewer", "outsider"):
        assert upload(api_as(role), spec()).status_code == expected_status(role, "member", 202)
    assert upload(api_as("member"), b"").status_code == 400
    settings.CONTRACTS_MAX_SPEC_BYTES = 1000
    assert upload(api_as("member"), spec() + b" " * 2000).status_code == 400
    assert upload(api_as("member"), b"x" * 200_000).status_code == 413


def test_the_pages_show_versions_errors_docs_and_the_diff(client_as, project, contract, users,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_version_upload(contract=contract, actor=users["owner"], data=spec("1.0.0"))
        services.contract_version_upload(contract=contract, actor=users["owner"], data=spec("2.0.0", drop_get=True))
        services.contract_version_upload(contract=contract, actor=users["owner"], data=b"openapi: 3.0.3\n")
    client = client_as("viewer")
    root = f"/projects/{project.slug}/contracts/pets/"
    page = client.get(root)
    assert page.status_code == 200 and b"breaking" in page.content and b"invalid" in page.content
    assert b"getPet" in client.get(root + "versions/1/").content
    assert client.get(root + "versions/3/").status_code == 200
    assert client.get(root + "versions/1/docs/").status_code == 200
    assert client.get(root + "versions/3/docs/").status_code == 404
    assert client.get(root + "versions/1/spec/?bundled=1").json()["info"]["version"] == "1.0.0"
    diff = client.get(root + "diff/?base=1&revision=2")
    assert diff.status_code == 200 and b"api-path-removed-without-deprecation" in diff.content
    member = client_as("member")
    uploaded = member.post(root + "versions/new/", {"text": spec("4.0.0").decode()})
    assert uploaded.status_code == 302 and ContractVersion.objects.filter(number=4).exists()


def test_the_versions_list_costs_the_same_for_many(api_as, contract, users):
    api = api_as("viewer")
    counts = []
    for extra in (1, 4):
        for _ in range(extra):
            services.contract_version_upload(contract=contract, actor=users["owner"], data=spec())
        api.get(f"{BASE}/pets/versions/")
        counts.append(assert_queries(5, lambda: api.get(f"{BASE}/pets/versions/"), "versions"))
    assert len(counts) == 2


def test_operations_link_to_requirements_and_turn_suspect(api_as, client_as, project, contract, users,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    from apps.core.permissions import ProjectAccess, Role
    from apps.requirements import services as requirement_services

    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="Show a pet")
    for status in ("in_review", "approved"):
        requirement_services.requirement_transition(requirement=requirement, to=status, actor=users["owner"],
                                                    access=ProjectAccess(project=project, role=Role.OWNER))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_version_upload(contract=contract, actor=users["owner"], data=spec())
    api = api_as("member")
    body = {"method": "get", "path": "/pets/{petId}", "requirements": ["REQ-1"]}
    rows = api.post(f"{BASE}/pets/operation-links/", body, format="json").json()
    assert rows == [{"method": "get", "path": "/pets/{petId}", "requirement": "REQ-1", "title": "Show a pet",
                     "suspect": False}]  # fmt: skip
    assert api_as("viewer").post(f"{BASE}/pets/operation-links/", body, format="json").status_code == 403
    bad = api.post(f"{BASE}/pets/operation-links/", {**body, "requirements": ["REQ-9"]}, format="json")
    assert bad.status_code == 400 and "REQ-9" in str(bad.json())
    requirement_services.requirement_update(requirement=requirement, actor=users["owner"], title="Show a pet fast")
    assert api.get(f"{BASE}/pets/operation-links/").json()[0]["suspect"] is True
    page = client_as("viewer").get(f"/projects/{project.slug}/requirements/REQ-1/")
    assert b"API operations" in page.content and b"/pets/{petId}" in page.content and b"suspect" in page.content
    version_page = client_as("viewer").get(f"/projects/{project.slug}/contracts/pets/versions/1/")
    assert b"REQ-1" in version_page.content


def test_the_lint_page_shows_every_rule_at_its_severity_here(client_as, project, users):
    values = {"rule": "info-contact", "severity": "off"}
    kit_for(LintSetting).create(project=project, actor=users["owner"], values=values)
    page = client_as("viewer").get(f"/projects/{project.slug}/contracts/lint-rules/")
    assert page.status_code == 200 and len(page.context["rules"]) >= 25
    assert {r["id"]: r["effective"] for r in page.context["rules"]}["info-contact"] == "off"


def test_the_component_page_lists_its_contracts(client_as, project, users):
    from apps.architecture.models import Component
    from apps.architecture.services import component_save

    api = component_save(instance=Component(project=project), actor=users["owner"],
                         values={"key": "pets-service", "name": "Pets service"})  # fmt: skip
    kit_for(Contract).create(project=project, actor=users["owner"],
                             values={"slug": "pets", "name": "Pets API", "provider": api})  # fmt: skip
    page = client_as("viewer").get(f"/projects/{project.slug}/architecture/components/pets-service/")
    assert b"API contracts" in page.content and b"Pets API" in page.content


def test_a_contract_named_like_a_catalog_api_binds_it(api_as, project, users):
    """A Backstage import left `kind: API` entities as references: a contract of the same slug takes them."""
    from apps.architecture import transfer

    catalog = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pets-service}
spec: {type: service, lifecycle: production, owner: team-a, providesApis: [pets]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pets-web}
spec: {type: website, lifecycle: production, owner: team-a, consumesApis: [pets]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: pets}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: {$text: https://example.com/pets.yaml}}
"""
    transfer.catalog_import(project=project, actor=users["owner"], text=catalog)
    body = api_as("member").post(f"{BASE}/", {"slug": "pets", "name": "Pets"}, format="json").json()
    assert body["api_reference"] == "pets" and body["provider"] == "pets-service" and body["consumers"] == ["pets-web"]


def test_a_zip_that_escapes_its_folder_is_refused(api_as, contract, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("openapi.yaml", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n")
        archive.writestr("../../etc/evil.yaml", "x: 1\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_as("member"), buffer.getvalue(), content_type="application/zip")
    version = ContractVersion.objects.get(pk=response.json()["id"])
    assert version.status == "invalid" and version.errors


def test_the_version_page_links_an_operation_to_requirements(client_as, project, contract, users,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    from apps.requirements import services as requirement_services

    requirement_services.requirement_create(project=project, actor=users["owner"], title="Show a pet")
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_version_upload(contract=contract, actor=users["owner"], data=spec())
    url = f"/projects/{project.slug}/contracts/pets/versions/1/links/"
    assert client_as("viewer").post(url, {"operation": "get /pets/{petId}", "requirements": "REQ-1"}).status_code == 403
    member = client_as("member")
    assert member.post(url, {"operation": "get /pets/{petId}", "requirements": "REQ-1"}).status_code == 302
    assert contract.requirement_links.get().requirement.key == "REQ-1"
    member.post(url, {"operation": "get /nowhere", "requirements": "REQ-1"})
    member.post(url, {"operation": "get /pets/{petId}", "requirements": "REQ-77"})
    assert contract.requirement_links.count() == 1  # refused: an unknown operation, an unknown key
    member.post(url, {"operation": "get /pets/{petId}", "requirements": ""})
    assert not contract.requirement_links.exists()
