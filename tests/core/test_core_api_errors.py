"""One JSON error shape for every API failure, including unknown /api/ paths and bad JSON."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v2/projects/", "/api/v1/projects/x/y/z/"])
def test_unknown_api_paths_are_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}


def test_invalid_json_is_400_json(api_as, project):
    api = api_as("owner")
    response = api.post("/api/v1/projects/", data='{"name": ', content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["code"] == "parse_error" and "JSON" in body["detail"]


@pytest.mark.smoke
def test_validation_errors_have_field_errors(api_as, project):
    response = api_as("owner").post("/api/v1/projects/", {"name": "", "slug": "Bad Slug!"})
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"], body["detail"]) == (400, "invalid", "Invalid input.")
    assert set(body["errors"]) >= {"name", "slug"}
    assert all(isinstance(v, list) and v for v in body["errors"].values())


def test_401_403_404_bodies(api_as, project, other_project, client):
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json()["status"] == 401 and response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")

    response = api_as("viewer").patch(f"/api/v1/projects/{project.slug}/", {"name": "x"})
    assert response.status_code == 403 and response.json()["status"] == 403
    assert response.json()["code"] == "permission_denied" and response.json()["detail"]

    response = api_as("viewer").get(f"/api/v1/projects/{other_project.slug}/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "No such project."}


def test_method_not_allowed_is_json(api_as, project):
    response = api_as("owner").put(f"/api/v1/projects/{project.slug}/members/viewer/", {"role": "member"})
    assert response.status_code == 405 and response.json()["status"] == 405


@pytest.mark.django_db
def test_unknown_api_path_post_without_csrf_is_json_404():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/v1/nope/", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_unexpected_error_is_json_500_under_api_only(api_as, project, users):
    from unittest import mock

    from django.test import Client

    from apps.projects.api.views import ProjectViewSet

    api = api_as("owner")
    api.raise_request_exception = False
    with mock.patch.object(ProjectViewSet, "list", side_effect=RuntimeError("boom")):
        response = api.get("/api/v1/projects/")
    assert response.status_code == 500
    assert response.json() == {"status": 500, "code": "server_error", "detail": "Server error."}

    client = Client(raise_request_exception=False)
    client.force_login(users["owner"])
    with mock.patch("apps.projects.views.overview_cards", side_effect=RuntimeError("boom")):
        response = client.get(f"/projects/{project.slug}/")
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


def test_body_over_django_memory_limit_is_json_413(api_as, project, settings):
    """Django refuses it while DRF reads the body; it was Django's HTML 400 page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = api_as("owner")
    response = api.post("/api/v1/projects/", {"name": "x" * 2000, "slug": "big"}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and response.json()["status"] == 413
    response = api.post("/api/v1/projects/", {"name": "x" * 2000, "slug": "big"}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


@pytest.mark.parametrize("where", ["query", "form"])
def test_too_many_fields_is_json_400(api_as, project, settings, where):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = "&".join(f"f{n}=1" for n in range(20))
    api = api_as("owner")
    if where == "query":
        response = api.get(f"/api/v1/projects/{project.slug}/members/?{fields}")
    else:
        response = api.post(f"/api/v1/projects/{project.slug}/members/", fields,
                            content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and "Too many" in response.json()["detail"]


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_options_on_every_route_answers_json(api_as, project, users, role, settings, tmp_path,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    """OPTIONS (DRF's metadata) on every list and detail route of the schema, on real rows: never a 500."""
    from apps.core.registry import seed_project
    from apps.requirements.models import AcceptanceCriterion, Label
    from apps.testruns.models import TestCase, TestRun

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        seed_project(project=project, user=users["owner"])
    from apps.architecture.models import DataModelVersion, Document, Relation
    from apps.contracts.models import ContractVersion, LintSetting
    from apps.deployments.models import Deployment, GatePolicy, Incident, WebhookSecret

    ids = {"criteria": AcceptanceCriterion.objects.filter(requirement__number=1).first().pk,
           "labels": Label.objects.first().pk, "test-runs": TestRun.objects.first().pk,
           "test-cases": TestCase.objects.first().pk, "relations": Relation.objects.first().pk,
           "documents": Document.objects.first().pk,
           "lint-rules": LintSetting.objects.create(project=project, rule="info-contact", severity="off").pk,
           "deployments": Deployment.objects.first().pk,
           "incidents": Incident.objects.first().pk,
           "policies": GatePolicy.objects.first().pk,
           "webhook-secrets": WebhookSecret.objects.create(project=project, provider="github", secret="x" * 20).pk,
           }  # fmt: skip
    # {key} by the collection it names (the demo's rows); requirements' REQ-1 otherwise.
    keys = {"adrs": "ADR-0001", "components": "payments-api", "component": "payments-api", "systems": "payments",
            "system": "payments", "data-models": "payments-schema", "api-references": "payments-api"}  # fmt: skip
    from apps.core.permissions import ProjectAccess
    from apps.projects.services import invitation_create

    invitation, _ = invitation_create(project=project, actor=users["owner"], access=ProjectAccess.system(project),
                                      email="new@example.com", site_url="http://testserver")  # fmt: skip
    api = api_as(role)
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in paths:
        url = path.replace("{project_slug}", project.slug)
        url = url.replace("{slug}", "production" if "/environments/" in url else project.slug)
        collection = next((part for part in reversed(url.split("/{key}")[0].split("/")) if part), "")
        url = url.replace("{key}", keys.get(collection, "REQ-1")).replace("{username}", "member")
        version_model = ContractVersion if "/contracts/" in url else DataModelVersion
        url = url.replace("{version_id}", str(version_model.objects.first().pk))
        url = url.replace("{number}", str(TestRun.objects.filter(project=project).first().number))
        url = url.replace("{invitation_id}", str(invitation.pk))
        if "{id}" in url:
            url = url.replace("{id}", str(next(n for name, n in ids.items() if f"/{name}/" in url)))
        response = api.options(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/v1/projects/", "/api/v1/projects/payments-api/test-runs/"])
def test_json_nested_too_deeply_is_400(api_as, project, path):
    """Python's JSON decoder gives up with a RecursionError (it was a 500)."""
    body = "[" * 100_000 + "]" * 100_000
    response = api_as("owner").post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("query", ["?status=bogus", "?format=xml", "?format=csv&priority=urgent", ""])
def test_errors_of_a_csv_export_are_json(api_as, project, client, query):
    """The export's first renderer is CSV: it printed errors as a Python dict's repr, as text/csv."""
    url = f"/api/v1/projects/{project.slug}/requirements/export/{query}"
    response = api_as("viewer").get(url) if query else client.get(url)
    assert response.status_code in (400, 401, 404)
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == response.status_code


def test_unacceptable_accept_header_is_json_406_and_changes_nothing(api_as, project):
    from apps.testruns.models import TestRun

    api = api_as("owner")
    response = api.post(f"/api/v1/projects/{project.slug}/test-runs/?open=true", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406 and response.json()["code"] == "not_acceptable"
    assert not TestRun.objects.exists()
