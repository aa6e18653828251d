"""Incidents through their doors: opened by a person, the API or an alerting tool (Alertmanager's own
webhook body, or a generic firing/resolved event by external_id); the cause suggested — the last
successful deployment to the environment before the incident started, within 72 h — until a person
sets or confirms it, after which nothing reported later moves it."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.core.kit import kit_for
from apps.deployments import services
from apps.deployments.models import Environment, Incident
from tests.kit import KitTests

pytestmark = pytest.mark.django_db

BASE = "/api/v1/projects/payments-api"
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deployments"


def deploy(project, user, *, at, environment="production", external_id="", status="success", **values):
    return services.deployment_report(project=project, actor=user, values={
        "environment": environment, "version": external_id or at.isoformat(), "commit": "a" * 40, "status": status,
        "started_at": at - timedelta(minutes=5), "finished_at": at, "external_id": external_id, **values})  # fmt: skip


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class TestIncidentKit(KitTests):
    model = Incident
    create_data = {"title": "Checkout errors", "severity": "sev2", "started_at": "2026-11-20 10:00"}
    update_data = {"title": "Checkout 500s", "severity": "sev1", "started_at": "2026-11-20 10:00",
                   "resolved_at": "2026-11-20 11:00"}  # fmt: skip
    api_create_data = {"title": "Latency", "severity": "sev3", "started_at": "2026-11-20T10:00:00Z"}
    api_update_data = {"resolved_at": "2026-11-20T12:00:00Z"}
    queries = {"list": 6, "detail": 6, "api-list": 4, "api-detail": 3}

    def make(self, project, users, number):
        deployment = deploy(project, users["owner"], at=T0 + timedelta(hours=number))
        return kit_for(Incident).create(project=project, actor=users["owner"], values={
            "title": f"Incident {number}", "started_at": T0 + timedelta(hours=number, minutes=30),
            "environment": deployment.environment})  # fmt: skip


def test_the_cause_is_suggested_from_the_last_deployment_before_the_start_within_the_window(project, users):
    owner = users["owner"]
    too_old = deploy(project, owner, at=T0 - timedelta(hours=80), external_id="old")
    earlier = deploy(project, owner, at=T0 - timedelta(hours=5), external_id="earlier")
    latest = deploy(project, owner, at=T0 - timedelta(hours=1), external_id="latest")
    deploy(project, owner, at=T0 - timedelta(minutes=30), external_id="failed", status="failure")
    deploy(project, owner, at=T0 - timedelta(minutes=20), external_id="staging", environment="staging")
    deploy(project, owner, at=T0, external_id="same-instant")  # finished as it started: not blamed
    production = Environment.objects.get(slug="production")
    incident = kit_for(Incident).create(project=project, actor=owner, values={
        "title": "Errors", "environment": production, "started_at": T0})  # fmt: skip
    assert incident.caused_by == latest and not incident.cause_confirmed
    assert incident.detected_at == T0  # not given: detected when it started
    assert {too_old, earlier}.isdisjoint({incident.caused_by})
    outside = kit_for(Incident).create(project=project, actor=owner, values={
        "title": "Later", "environment": production, "started_at": T0 + timedelta(hours=73)})  # fmt: skip
    assert outside.caused_by is None  # 72 h after the last deployment: nothing to blame


def test_a_late_report_moves_a_suggestion_but_never_a_confirmed_cause(project, users):
    owner = users["owner"]
    first = deploy(project, owner, at=T0 - timedelta(hours=3), external_id="first")
    production = Environment.objects.get(slug="production")
    suggested = kit_for(Incident).create(project=project, actor=owner, values={
        "title": "Suggested only", "environment": production, "started_at": T0})  # fmt: skip
    confirmed = kit_for(Incident).create(project=project, actor=owner, values={
        "title": "Confirmed", "environment": production, "started_at": T0, "cause_confirmed": True})  # fmt: skip
    assert suggested.caused_by == first and confirmed.caused_by == first and confirmed.cause_confirmed
    late = deploy(project, owner, at=T0 - timedelta(hours=1), external_id="late")  # CI reported it late
    suggested.refresh_from_db(), confirmed.refresh_from_db()
    assert suggested.caused_by == late
    assert confirmed.caused_by == first  # a person confirmed it: it stays
    # updating the confirmed incident (resolving it) leaves the cause alone too
    kit_for(Incident).update(instance=confirmed, actor=owner, values={"resolved_at": T0 + timedelta(hours=2)})
    confirmed.refresh_from_db()
    assert confirmed.caused_by == first


def test_setting_the_cause_by_api_confirms_it_and_alert_events_never_move_it(api_as, project, users):
    owner = users["owner"]
    chosen = deploy(project, owner, at=T0 - timedelta(hours=10), external_id="chosen")
    deploy(project, owner, at=T0 - timedelta(hours=1), external_id="latest")
    api = api_as("member")
    opened = api.post(f"{BASE}/incidents/", {"title": "Errors", "environment": "production", "started_at": iso(T0),
                                             "caused_by": chosen.pk}, format="json")  # fmt: skip
    assert opened.status_code == 201, opened.content
    assert opened.json()["caused_by"] == chosen.pk and opened.json()["cause_confirmed"] is True
    incident = Incident.objects.get()
    incident.external_id = "alert-1"
    incident.save(update_fields=["external_id"])
    resolved = api.post(f"{BASE}/incidents/", {"external_id": "alert-1", "status": "resolved"}, format="json")
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["caused_by"] == chosen.pk and resolved.json()["state"] == "resolved"


def test_a_generic_alert_opens_resolves_and_reopens_by_external_id_idempotently(api_as, project, users):
    cause = deploy(project, users["owner"], at=T0 - timedelta(hours=2))
    api = api_as("member")
    firing = {"external_id": "pd-123", "status": "firing", "title": "Checkout down", "severity": "sev1",
              "environment": "production", "started_at": iso(T0)}  # fmt: skip
    opened = api.post(f"{BASE}/incidents/", firing, format="json")
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["state"] == "open" and body["caused_by"] == cause.pk and body["source"] == "api"
    again = api.post(f"{BASE}/incidents/", firing, format="json")
    assert again.status_code == 200 and Incident.objects.count() == 1
    resolve = {"external_id": "pd-123", "status": "resolved", "resolved_at": iso(T0 + timedelta(minutes=40))}
    done = api.post(f"{BASE}/incidents/", resolve, format="json")
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    assert done.json()["resolved_at"].startswith("2026-11-20T10:40")
    assert api.post(f"{BASE}/incidents/", resolve, format="json").json()["resolved_at"] == done.json()["resolved_at"]
    reopened = api.post(f"{BASE}/incidents/", firing, format="json")
    assert reopened.json()["state"] == "open" and Incident.objects.count() == 1


def test_alertmanager_webhook_opens_and_resolves_its_alerts_all_or_nothing(api_as, project):
    Environment.objects.create(project=project, slug="production", name="Production", tier="production")
    payload = json.loads((FIXTURES / "alertmanager" / "alertmanager-bot-firing.json").read_text())
    api = api_as("member")
    answer = api.post(f"{BASE}/incidents/", payload, format="json")
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["incidents"]) == len(payload["alerts"]) == Incident.objects.count()
    assert {i.source for i in Incident.objects.all()} == {"alertmanager"}
    assert api.post(f"{BASE}/incidents/", payload, format="json").status_code == 200
    assert Incident.objects.count() == len(payload["alerts"])  # the same notification twice: nothing new
    broken = {**payload, "alerts": [*payload["alerts"], {"labels": {"alertname": "x"}, "status": "firing"}]}
    Incident.objects.all().delete()
    refused = api.post(f"{BASE}/incidents/", broken, format="json")
    assert refused.status_code == 400 and "startsAt" in json.dumps(refused.json())
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("body, field", [
    ({"title": "x", "started_at": "2026-11-20T10:00:00"}, "started_at"),  # no time zone
    ({"title": "x", "started_at": "2099-01-01T00:00:00Z"}, "started_at"),  # far in the future
    ({"title": "x", "started_at": "2026-11-20T10:00:00Z", "resolved_at": "2026-11-20T09:00:00Z"}, "resolved_at"),
    ({"title": "x", "started_at": "2026-11-20T10:00:00Z", "environment": "nowhere"}, "environment"),
    ({"title": "x", "started_at": "2026-11-20T10:00:00Z", "severity": "sev9"}, "severity"),
    ({"title": "x", "started_at": "2026-11-20T10:00:00Z", "caused_by": 999999}, "caused_by"),
    ({"external_id": "a", "status": "exploded"}, "status"),
    ({"status": "firing"}, "external_id"),
    ({"alerts": []}, "alerts"),
])  # fmt: skip
def test_bad_incidents_are_refused_naming_the_field_and_nothing_is_stored(api_as, project, body, field):
    answer = api_as("member").post(f"{BASE}/incidents/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in json.dumps(answer.json())
    assert Incident.objects.count() == 0


def test_a_viewer_cannot_open_or_resolve_incidents_and_outsiders_see_nothing(api_as, project):
    body = {"external_id": "x", "status": "firing", "title": "t"}
    assert api_as("viewer").post(f"{BASE}/incidents/", body, format="json").status_code == 403
    assert api_as("outsider").post(f"{BASE}/incidents/", body, format="json").status_code == 404
    assert Incident.objects.count() == 0
