"""The architecture API beyond the kits' CRUD: keys in and out, diagrams, the catalog import/export,
data-model versions and their diff, ADR numbers — and the errors a client gets for bad input."""

import pytest

from apps.architecture import services
from apps.architecture.models import Component, DataModel, Decision, Relation, System
from apps.core.services import instance_save
from tests.kit import expected_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/projects/payments-api"


@pytest.fixture
def catalog(project, users, make_component, make_system):
    payments = make_system("payments")
    api = make_component("payments-api", system=payments, technology="Django 5.2")
    db = make_component("payments-db", kind="database", system=payments)
    shop = make_component("web-shop", kind="frontend")
    for source, target, kind in ((shop, api, "calls"), (api, db, "writes_to"), (db, api, "depends_on")):
        instance_save(instance=Relation(project=project, source=source, target=target, kind=kind), actor=users["owner"])
    return {"system": payments, "api": api, "db": db, "shop": shop}


def test_components_are_named_by_key_in_and_out(api_as, catalog):
    api = api_as("member")
    body = api.get(f"{BASE}/components/payments-api/").json()
    assert body["key"] == "payments-api" and body["system"] == "payments" and body["tags"] == []
    created = api.post(f"{BASE}/components/", {"key": "ledger", "name": "Ledger", "kind": "service",
                                               "system": "payments", "parent": "payments-api", "tags": ["go"]},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["parent"] == "payments-api" and created.json()["tags"] == ["go"]
    wrong = api.post(f"{BASE}/components/", {"key": "x", "name": "X", "system": "nope"}, format="json")
    assert wrong.status_code == 400 and "system" in wrong.json()["errors"]


def test_component_filters_are_the_pages_filters(api_as, client_as, project, catalog):
    api = api_as("viewer")
    keys = lambda query: sorted(c["key"] for c in api.get(f"{BASE}/components/?{query}").json()["results"])  # noqa: E731
    assert keys("system=payments") == ["payments-api", "payments-db"]
    assert keys("kind=database") == ["payments-db"]
    assert keys("q=django") == ["payments-api"]
    assert keys("system=none") == ["web-shop"]
    page = client_as("viewer").get(f"/projects/{project.slug}/architecture/components/?system=payments")
    assert page.status_code == 200 and b"payments-db" in page.content and b"web-shop" not in page.content


def test_relations_by_keys_refuse_duplicates_and_self_edges(api_as, catalog):
    api = api_as("member")
    duplicate = api.post(f"{BASE}/relations/", {"source": "web-shop", "target": "payments-api", "kind": "calls"},
                         format="json")  # fmt: skip
    assert duplicate.status_code == 400 and "already have a relation" in str(duplicate.json())
    itself = api.post(f"{BASE}/relations/", {"source": "web-shop", "target": "web-shop", "kind": "calls"},
                      format="json")  # fmt: skip
    assert itself.status_code == 400 and "itself" in str(itself.json())
    assert Relation.objects.count() == 3


@pytest.mark.parametrize("role", ["owner", "viewer", "outsider"])
def test_generated_diagrams_by_role(api_as, catalog, role):
    api = api_as(role)
    for path in ("diagrams/landscape/", "diagrams/system/payments/", "diagrams/component/payments-api/?depth=2"):
        response = api.get(f"{BASE}/{path}")
        assert response.status_code == expected_status(role, "viewer", 200), path
        if response.status_code == 200:
            body = response.json()
            assert set(body) == {"mermaid", "nodes", "truncated", "hidden"} and body["mermaid"].startswith("flowchart")


def test_diagrams_follow_the_model(api_as, users, catalog):
    api = api_as("viewer")
    before = api.get(f"{BASE}/diagrams/component/payments-api/").json()["mermaid"]
    assert "Payments-Db" in before
    services.component_save(instance=catalog["db"], actor=users["owner"], values={"name": "Orders store"})
    after = api.get(f"{BASE}/diagrams/component/payments-api/").json()["mermaid"]
    assert "Orders store" in after and "Payments-Db" not in after


def test_diagram_errors_are_400_and_404(api_as, catalog):
    api = api_as("viewer")
    assert api.get(f"{BASE}/diagrams/component/payments-api/?depth=3").status_code == 400
    assert api.get(f"{BASE}/diagrams/component/nope/").status_code == 404
    assert api.get(f"{BASE}/diagrams/system/nope/").status_code == 404


def test_decisions_by_number_with_supersedes_and_requirements(api_as, project, users):
    from apps.requirements.services import requirement_create

    requirement_create(project=project, actor=users["owner"], title="Pay")
    api = api_as("member")
    first = api.post(f"{BASE}/adrs/", {"title": "SOAP", "status": "accepted"}, format="json")
    assert first.status_code == 201 and first.json()["key"] == "ADR-0001"
    second = api.post(f"{BASE}/adrs/", {"title": "REST", "status": "accepted", "supersedes": ["ADR-0001"],
                                        "requirements": ["REQ-1"]}, format="json")  # fmt: skip
    assert second.status_code == 201, second.content
    assert second.json()["supersedes"] == ["ADR-0001"] and second.json()["requirements"] == ["REQ-1"]
    old = api.get(f"{BASE}/adrs/ADR-0001/").json()
    assert old["status"] == "superseded" and old["superseded_by"] == ["ADR-0002"]
    bad = api.post(f"{BASE}/adrs/", {"title": "X", "supersedes": ["ADR-0099"], "requirements": ["REQ-7"]},
                   format="json")  # fmt: skip
    assert bad.status_code == 400 and Decision.objects.count() == 2
    assert api.get(f"{BASE}/adrs/?status=superseded").json()["count"] == 1


def test_catalog_export_lists_every_component(api_as, catalog):
    response = api_as("viewer").get(f"{BASE}/catalog/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
    text = response.content.decode()
    for key in ("payments-api", "payments-db", "web-shop", "payments"):
        assert f"name: {key}" in text


def test_catalog_import_needs_write_and_refuses_empty_bodies(api_as, project):
    viewer = api_as("viewer").post(f"{BASE}/catalog/import/", b"kind: System", content_type="application/yaml")
    assert viewer.status_code == 403
    empty = api_as("member").post(f"{BASE}/catalog/import/", b"", content_type="application/yaml")
    assert empty.status_code == 400 and "file" in empty.json()["errors"]
    assert not System.objects.exists() and not Component.objects.exists() and project


def test_data_model_lookup_by_key(api_as, users, project, catalog):
    services.instance_save(instance=DataModel(project=project, key="payments-schema", name="Payments",
                                              component=catalog["db"]), actor=users["owner"])  # fmt: skip
    api = api_as("viewer")
    body = api.get(f"{BASE}/data-models/payments-schema/").json()
    assert body["component"] == "payments-db" and body["versions"] == 0
    not_data = api_as("member").post(f"{BASE}/data-models/", {"key": "x", "name": "X", "component": "web-shop"},
                                     format="json")  # fmt: skip
    assert not_data.status_code == 400 and "database" in str(not_data.json())


def test_document_revisions_and_script_refusal_over_the_api(api_as, project):
    api = api_as("member")
    created = api.post(f"{BASE}/documents/", {"title": "Flow", "source": "flowchart LR\n  a-->b"}, format="json")
    assert created.status_code == 201 and created.json()["diagram_type"] == "flowchart"
    url = f"{BASE}/documents/{created.json()['id']}/"
    assert api.patch(url, {"source": "flowchart LR\n  a-->c"}, format="json").status_code == 200
    revisions = api.get(url + "revisions/").json()
    assert [r["number"] for r in revisions] == [2, 1] and revisions[0]["author"] == "member"
    hostile = api.patch(url, {"source": 'flowchart LR\n  a-->b\n  click a call alert(1)'}, format="json")
    assert hostile.status_code == 400 and "Line 3" in str(hostile.json()["errors"]["source"])
    assert api.get(url).json()["revision"] == 2


@pytest.mark.parametrize("role", ["maintainer", "member", "viewer", "outsider"])
def test_import_and_export_pages_by_role(client_as, project, users, role):
    client = client_as(role)
    base = f"/projects/{project.slug}/architecture"
    pages = (("/catalog/import/", "maintainer"), ("/decisions/import/", "maintainer"), ("/catalog/export/", "viewer"),
             ("/decisions/export/", "viewer"), ("/", "viewer"))  # fmt: skip
    for path, minimum in pages:
        assert client.get(base + path).status_code == expected_status(role, minimum, 200), path


@pytest.mark.parametrize("value", ["a\x00b", "a\udae6b", 12, ["x"]])
def test_keys_that_are_not_text_are_a_400(api_as, project, value):
    import json

    body = json.dumps({"title": "x", "source": "flowchart LR\n a-->b", "components": [value], "component": value})
    response = api_as("member").post(f"{BASE}/documents/", body, content_type="application/json")
    assert response.status_code == 400, response.content
