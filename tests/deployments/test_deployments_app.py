"""Deployments through their doors: CI reports (one curl line), idempotent by external_id (started, then
finished), environments created with a guessed tier the team can confirm, changes stored once, what an
environment runs now — and bad reports refused with the field named, nothing half-stored."""

import pytest

from apps.core.kit import kit_for
from apps.deployments import services
from apps.deployments.models import Change, Deployment, Environment
from tests.kit import KitTests, expected_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/projects/payments-api"
SHA = "a" * 40


def report(api, **values):
    body = {"environment": "production", "version": "1.0.0", "commit": SHA, "status": "success",
            "started_at": "2026-11-20T10:00:00Z", "finished_at": "2026-11-20T10:05:00+00:00", **values}  # fmt: skip
    body = {name: value for name, value in body.items() if value is not None}  # None: leave the field out
    return api.post(f"{BASE}/deployments/", body, format="json")


class TestEnvironmentKit(KitTests):
    model = Environment
    create_data = {"slug": "staging", "name": "Staging", "tier": "staging", "position": 1}
    update_data = {"slug": "env-0", "name": "Env zero", "tier": "testing", "position": 2}
    api_create_data = {"slug": "qa", "name": "QA", "tier": "testing"}
    api_update_data = {"position": 3}
    queries = {"list": 7, "detail": 10, "api-list": 5, "api-detail": 4}

    def make(self, project, users, number):
        return kit_for(Environment).create(project=project, actor=users["owner"],
                                           values={"slug": f"env-{number}", "name": f"Env {number}"})  # fmt: skip


class TestDeploymentKit(KitTests):
    model = Deployment
    api_create_data = {"environment": "production", "version": "2.0.0", "commit": SHA}
    queries = {"list": 8, "detail": 11, "api-list": 6, "api-detail": 5}

    def make(self, project, users, number):
        return services.deployment_report(project=project, actor=users["owner"], values={
            "environment": "production", "version": f"1.{number}", "commit": f"{number:040x}",
            "changes": [{"sha": f"{number + 1000:040x}"}, {"sha": f"{number + 2000:040x}"}]})  # fmt: skip


def test_the_same_external_id_updates_the_deployment_it_named(api_as, project):
    api = api_as("member")
    started = report(api, external_id="gh-42", status="in_progress", finished_at=None)
    assert started.status_code == 201, started.content
    finished = report(api, external_id="gh-42", status="success")
    assert finished.status_code == 200 and finished.json()["id"] == started.json()["id"]
    assert Deployment.objects.count() == 1 and Deployment.objects.get().status == "success"
    assert Deployment.objects.get().finished_at is not None


def test_a_new_environment_gets_a_guessed_tier_the_team_confirms(api_as, client_as, project):
    report(api_as("member"), environment="prod-eu")
    report(api_as("member"), environment="preprod")
    tiers = dict(Environment.objects.values_list("slug", "tier"))
    assert tiers == {"prod-eu": "production", "preprod": "staging"}
    env = Environment.objects.get(slug="prod-eu")
    assert env.tier_inferred
    form = {"slug": "prod-eu", "name": "Production EU", "tier": "production", "position": 3}
    client_as("member").post(f"/projects/{project.slug}/deployments/environments/prod-eu/edit/", form)
    env.refresh_from_db()
    assert not env.tier_inferred and env.name == "Production EU"


def test_changes_are_stored_once_per_project(api_as, project):
    api = api_as("member")
    changes = [{"sha": "b" * 40, "message": "REQ-1 pay", "committed_at": "2026-11-19T08:00:00Z"},
               {"sha": "c" * 40, "author": "ann", "pr_number": 12}]  # fmt: skip
    assert report(api, environment="staging", changes=changes).status_code == 201
    assert report(api, environment="production", changes=changes[:1]).status_code == 201
    assert Change.objects.count() == 2
    assert Deployment.objects.get(environment__slug="production").changes.count() == 1


def test_what_an_environment_runs_now(api_as, project):
    api = api_as("viewer")
    assert api.get(f"{BASE}/environments/production/current/").status_code == 404
    report(api_as("member"), version="1.0.0", finished_at="2026-11-20T10:05:00Z")
    report(api_as("member"), version="1.1.0", commit="b" * 40, finished_at="2026-11-21T10:05:00Z")
    report(api_as("member"), version="1.2.0", commit="c" * 40, status="failure", finished_at="2026-11-22T10:05:00Z")
    current = api.get(f"{BASE}/environments/production/current/").json()
    assert current["version"] == "1.1.0" and current["commit"] == "b" * 40


def test_a_rollback_names_what_it_rolls_back(api_as, project):
    api = api_as("member")
    first = report(api, external_id="deploy-1").json()
    rollback = report(api, kind="rollback", rollback_of="deploy-1", commit="d" * 40).json()
    assert rollback["rollback_of"] == first["id"] and rollback["kind"] == "rollback"
    assert report(api, kind="rollback", rollback_of="nope").status_code == 400
    elsewhere = report(api, environment="staging", kind="rollback", rollback_of="deploy-1")
    assert elsewhere.status_code == 400 and "own environment" in elsewhere.json()["errors"]["rollback_of"][0]
    assert Deployment.objects.count() == 2  # the refused one stored nothing


def test_a_report_that_stops_naming_a_rollback_gives_the_target_its_changes_back(project, users):
    from apps.deployments.models import ChangeDelivery

    def send(**values):
        return services.deployment_report(project=project, actor=users["owner"], values={
            "environment": "production", "commit": SHA, "finished_at": None, **values})  # fmt: skip

    target = send(external_id="a", changes=[{"sha": "1" * 40}])
    send(external_id="b", kind="rollback", rollback_of="a")
    assert not ChangeDelivery.objects.filter(deployment=target).exists()  # rolled back: delivers nothing
    send(external_id="b", kind="planned", rollback_of="")  # CI corrects its report: not a rollback after all
    assert ChangeDelivery.objects.filter(deployment=target, component=None).count() == 1


@pytest.mark.parametrize("values, field", [
    ({"finished_at": "2026-11-20T10:05:00"}, "finished_at"),  # no time zone
    ({"finished_at": "2999-01-01T00:00:00Z"}, "finished_at"),  # far in the future
    ({"started_at": "2026-11-20T11:00:00Z"}, "finished_at"),  # finished before it started
    ({"commit": "not-a-sha"}, "commit"),
    ({"components": ["no-such-component"]}, "components"),
    ({"contract_versions": [999]}, "contract_versions"),
    ({"contract_versions": {"payments": "9.9"}}, "contract_versions"),
    ({"changes": [{"sha": "zz"}]}, "changes"),
    ({"environment": ""}, "environment"),
    ({"status": "exploded"}, "status"),
])  # fmt: skip
def test_bad_reports_name_the_field_and_store_nothing(api_as, project, values, field):
    response = report(api_as("member"), **values)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Deployment.objects.exists() and not Change.objects.exists()


def test_too_many_changes_are_refused(api_as, project, settings):
    settings.DEPLOYMENTS_MAX_CHANGES = 3
    changes = [{"sha": f"{n:040x}"} for n in range(4)]
    response = report(api_as("member"), changes=changes)
    assert response.status_code == 400 and "At most 3" in str(response.json())
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("role", ["owner", "member", "viewer", "outsider"])
def test_reporting_needs_write(api_as, project, role):
    assert report(api_as(role)).status_code == expected_status(role, "member", 201)


def test_the_pages_show_a_deployment_and_its_environment(client_as, project, users):
    deployment = services.deployment_report(project=project, actor=users["owner"], values={
        "environment": "production", "version": "3.1.4", "commit": SHA,
        "changes": [{"sha": "e" * 40, "message": "Refunds REQ-2"}]})  # fmt: skip
    client = client_as("viewer")
    page = client.get(f"/projects/{project.slug}/deployments/{deployment.pk}/")
    assert page.status_code == 200 and b"Refunds REQ-2" in page.content
    env = client.get(f"/projects/{project.slug}/deployments/environments/production/")
    assert env.status_code == 200 and b"3.1.4" in env.content
    listing = client.get(f"/projects/{project.slug}/deployments/?environment=production")
    assert listing.status_code == 200 and b"3.1.4" in listing.content
