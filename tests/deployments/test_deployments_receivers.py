"""The pure receivers engine (apps.deployments.receivers): payloads -> DeploymentReport / IncidentEvent.

No database. GitHub and Alertmanager payloads are the real examples copied into
tests/fixtures/deployments/ (see the README there for origin and license); expected values are the
literal fields the corpus lists for each file. GitLab's Deployment Hook documentation is CC BY-SA, so its
example is NOT copied: the GitLab payloads below are built by hand from the documented field list only.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.deployments.receivers import alertmanager, github, gitlab
from apps.deployments.receivers.environments import infer_tier, slugify_environment
from apps.deployments.receivers.report import (
    DeploymentReport,
    IgnoredEvent,
    IncidentEvent,
    ReportError,
    check_sha,
    check_span,
    parse_timestamp,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deployments"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


def load(folder: str, name: str) -> dict:
    return json.loads((FIXTURES / folder / name).read_text())


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- GitHub -------------------------------------------------------------------------------------------

GITHUB_STATUS = [
    # file, environment, status, ref, started_at, finished_at, build_url, actor
    ("deployment_status.payload.json", "production", "success", "master",
     utc(2019, 5, 15, 15, 20, 53), utc(2019, 5, 15, 15, 20, 55), "", "Codertocat"),
    ("deployment_status.with-installation.payload.json", "production", "success", "master",
     utc(2019, 5, 15, 15, 20, 53), utc(2019, 5, 15, 15, 20, 55), "", "Codertocat"),
    ("deployment_status.gh-pages.payload.json", "github-pages", "in_progress", "master",
     utc(2022, 1, 3, 1, 28, 30), None,
     "https://github.com/CorsixTH/CorsixTH/runs/4687056418?check_suite_focus=true", "github-pages[bot]"),
]


@pytest.mark.parametrize(("name", "env", "status", "ref", "started", "finished", "url", "actor"), GITHUB_STATUS)
def test_github_deployment_status_corpus(name, env, status, ref, started, finished, url, actor):
    report = github.from_deployment_status(load("github", name), now=NOW)
    assert report == DeploymentReport(
        environment=env, status=status, version=SHA[:7], commit=SHA, short_sha=SHA[:7], ref=ref,
        started_at=started, finished_at=finished, build_url=url, external_id="github:145988746",
        kind="planned", components=(), source="github", environment_tier="production", actor=actor,
    )


GITHUB_DEPLOYMENT = [
    ("deployment.payload.json", "production", "master", utc(2019, 5, 15, 15, 20, 53), "Codertocat"),
    ("deployment.with-installation.payload.json", "production", "master", utc(2019, 5, 15, 15, 20, 53), "Codertocat"),
    ("deployment.gh-pages.payload.json", "github-pages", "gh-pages", utc(2022, 1, 3, 1, 28, 30), "github-pages[bot]"),
]


@pytest.mark.parametrize(("name", "env", "ref", "started", "actor"), GITHUB_DEPLOYMENT)
def test_github_deployment_corpus(name, env, ref, started, actor):
    report = github.from_deployment(load("github", name), now=NOW)
    assert (report.environment, report.status, report.commit, report.ref, report.started_at) == (
        env, "queued", SHA, ref, started)
    assert (report.finished_at, report.external_id, report.actor, report.environment_tier) == (
        None, "github:145988746", actor, "production")


def test_github_deployment_without_now_uses_the_clock():
    assert github.from_deployment(load("github", "deployment.payload.json")).status == "queued"


def github_status(state="success", **deployment_changes) -> dict:
    payload = load("github", "deployment_status.payload.json")
    payload["deployment_status"]["state"] = state
    payload["deployment"].update(deployment_changes)
    return payload


@pytest.mark.parametrize(("state", "status", "final"), [
    ("pending", "queued", False), ("queued", "queued", False), ("in_progress", "in_progress", False),
    ("success", "success", True), ("failure", "failure", True), ("error", "failure", True),
])
def test_github_state_mapping(state, status, final):
    report = github.from_deployment_status(github_status(state), now=NOW)
    assert report.status == status
    assert (report.finished_at is not None) is final


def test_github_inactive_is_ignored_not_an_error():
    with pytest.raises(IgnoredEvent):
        github.from_deployment_status(github_status("inactive"), now=NOW)


def test_github_payload_kind_version_components_and_status_environment_wins():
    payload = github_status(payload={"kind": "hotfix", "version": "v1.2.3", "components": ["api", "web"]})
    payload["deployment_status"]["environment"] = "Staging EU"
    payload["deployment_status"]["target_url"] = "https://ci.example/run/1"
    report = github.from_deployment_status(payload, now=NOW)
    assert (report.kind, report.version, report.components) == ("hotfix", "v1.2.3", ("api", "web"))
    assert (report.environment, report.environment_tier, report.build_url) == (
        "staging-eu", "staging", "https://ci.example/run/1")


def test_github_production_environment_flag_overrides_name():
    payload = github_status(environment="blue", production_environment=True)
    payload["deployment_status"]["environment"] = "blue"
    report = github.from_deployment_status(payload, now=NOW)
    assert (report.environment, report.environment_tier) == ("blue", "production")
    payload["deployment"]["production_environment"] = False  # false is not trusted: the name decides
    assert github.from_deployment_status(payload, now=NOW).environment_tier == "development"


def test_github_environment_falls_back_to_the_deployment():
    payload = github_status(environment="qa")
    del payload["deployment_status"]["environment"]
    assert github.from_deployment_status(payload, now=NOW).environment == "qa"


def test_github_headers_case_insensitive():
    headers = {"x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "X-GitHub-Event": "deployment_status"}
    assert github.delivery_id(headers) == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert github.event_name(headers) == "deployment_status"
    assert github.delivery_id({}) is None and github.event_name({}) is None


def _without_environment():
    payload = github_status()
    payload["deployment_status"].pop("environment")
    payload["deployment"].pop("environment")
    return payload


def _status_before_start():
    payload = github_status()
    payload["deployment_status"]["created_at"] = "2019-05-15T15:00:00Z"
    return payload


@pytest.mark.parametrize(("payload", "field"), [
    (lambda: github_status(created_at="2019-05-15T15:20:53"), "deployment.created_at"),  # naive
    (lambda: github_status(created_at="2026-01-03T00:00:00Z"), "deployment.created_at"),  # far future
    (lambda: github_status(created_at="yesterday"), "deployment.created_at"),
    (lambda: github_status(sha="not-a-sha"), "deployment.sha"),
    (lambda: github_status(sha="abc12"), "deployment.sha"),  # too short
    (lambda: github_status(payload={"kind": "yolo"}), "deployment.payload.kind"),
    (lambda: github_status("exploded"), "deployment_status.state"),
    (_status_before_start, "finished_at"),
    (_without_environment, "environment"),
    (lambda: ["not", "a", "dict"], "payload"),
    (lambda: {"deployment_status": {"state": "success"}}, "deployment"),
])
def test_github_bad_input_names_the_field(payload, field):
    with pytest.raises(ReportError) as caught:
        github.from_deployment_status(payload(), now=NOW)
    assert caught.value.field == field


# --- GitLab (payloads built from the documented field list; the CC BY-SA example is not copied) ---------

def gitlab_hook(**changes) -> dict:
    payload = {
        "object_kind": "deployment",
        "status": "success",
        "status_changed_at": "2024-03-05 10:15:00 +0100",
        "deployment_id": 4321,
        "environment": "production",
        "environment_tier": "production",
        "short_sha": "0123abc",
        "commit_url": "https://gitlab.example.com/acme/shop/-/commit/0123abcdef0123abcdef0123abcdef0123abcdef",
        "project": {"path_with_namespace": "acme/shop"},
        "ref": "main",
        "user": {"username": "ada", "name": "Ada Lovelace"},
        "deployable_url": "https://gitlab.example.com/acme/shop/-/jobs/99",
    }
    payload.update(changes)
    return payload


@pytest.mark.parametrize(("gitlab_status", "status", "started", "finished"), [
    ("created", "queued", utc(2024, 3, 5, 9, 15), None),
    ("running", "in_progress", utc(2024, 3, 5, 9, 15), None),
    ("success", "success", None, utc(2024, 3, 5, 9, 15)),
    ("failed", "failure", None, utc(2024, 3, 5, 9, 15)),
    ("canceled", "cancelled", None, utc(2024, 3, 5, 9, 15)),
    ("blocked", "queued", utc(2024, 3, 5, 9, 15), None),  # waiting for approval
    ("skipped", "cancelled", None, utc(2024, 3, 5, 9, 15)),  # nothing was deployed
])
def test_gitlab_status_mapping_and_non_iso_timestamp(gitlab_status, status, started, finished):
    report = gitlab.from_deployment_hook(gitlab_hook(status=gitlab_status), now=NOW)
    assert report == DeploymentReport(
        environment="production", status=status, version="0123abc",
        commit="0123abcdef0123abcdef0123abcdef0123abcdef", short_sha="0123abc", ref="main",
        started_at=started, finished_at=finished, build_url="https://gitlab.example.com/acme/shop/-/jobs/99",
        external_id="gitlab:4321", kind="planned", components=(), source="gitlab",
        environment_tier="production", actor="ada",
    )
    assert gitlab.project_path(gitlab_hook()) == "acme/shop"


@pytest.mark.parametrize("commit_url", [
    "https://gitlab.example.com/acme/shop/-/commit/0123abc",  # short SHA only
    "", None, "https://gitlab.example.com/acme/shop/-/commits/main",
])
def test_gitlab_commit_unknown_without_a_full_sha_in_commit_url(commit_url):
    report = gitlab.from_deployment_hook(gitlab_hook(commit_url=commit_url), now=NOW)
    assert (report.commit, report.short_sha) == ("", "0123abc")


def test_gitlab_tier_user_name_fallback_and_review_app():
    report = gitlab.from_deployment_hook(
        gitlab_hook(environment="review/feature-x", environment_tier="other", user={"name": "Ada"}), now=NOW)
    assert (report.environment, report.environment_tier, report.actor) == ("review/feature-x", "development", "Ada")
    report = gitlab.from_deployment_hook(gitlab_hook(environment="eu-1", environment_tier="staging"), now=NOW)
    assert report.environment_tier == "staging"


@pytest.mark.parametrize(("changes", "field"), [
    ({"object_kind": "pipeline"}, "object_kind"),
    ({"status": "exploded"}, "status"),
    ({"status_changed_at": "2024-03-05 10:15:00"}, "status_changed_at"),  # naive
    ({"status_changed_at": "2026-01-02 12:00:00 +0000"}, "status_changed_at"),  # >1 day after NOW
    ({"short_sha": "zzzzzzz"}, "short_sha"),
    ({"short_sha": "fedcba9"}, "commit_url"),  # disagrees with the full SHA in commit_url
    ({"environment": ""}, "environment"),
    ({"environment": None}, "environment"),
    ({"deployment_id": None}, "deployment_id"),
])
def test_gitlab_bad_input_names_the_field(changes, field):
    with pytest.raises(ReportError) as caught:
        gitlab.from_deployment_hook(gitlab_hook(**changes), now=NOW)
    assert caught.value.field == field


def test_gitlab_refuses_non_dict():
    with pytest.raises(ReportError) as caught:
        gitlab.from_deployment_hook("deployment", now=NOW)
    assert caught.value.field == "payload"


# --- Alertmanager ---------------------------------------------------------------------------------------

def test_alertmanager_firing_without_fingerprint():
    [event] = alertmanager.from_webhook(load("alertmanager", "alertmanager-bot-firing.json"), now=NOW)
    assert (event.action, event.title, event.severity, event.environment) == ("open", "Fire", "sev1", "")
    assert event.started_at == datetime(2018, 11, 4, 21, 43, 58, 283995, tzinfo=UTC)
    assert event.resolved_at is None  # a firing alert's endsAt is only Alertmanager's provisional end
    assert event.description == "Something is on fire"
    assert event.external_id.startswith("labels:")


def test_alertmanager_resolved_pairs_with_firing_by_label_hash():
    [opened] = alertmanager.from_webhook(load("alertmanager", "alertmanager-bot-firing.json"), now=NOW)
    [resolved] = alertmanager.from_webhook(load("alertmanager", "alertmanager-bot-resolved.json"), now=NOW)
    assert resolved.action == "resolve"
    assert resolved.external_id == opened.external_id
    assert resolved.resolved_at == datetime(2018, 11, 4, 21, 48, 13, 283995, tzinfo=UTC)


def test_alertmanager_old_shape_without_alert_status_and_zero_ends_at():
    payload = load("alertmanager", "prometheus-msteams-prom_post_request.json")
    [event] = alertmanager.from_webhook(payload, now=NOW)
    assert (event.action, event.title, event.severity) == ("open", "Server High Memory usage", "sev3")
    assert event.started_at == datetime(2018, 3, 7, 11, 33, 21, 873077, tzinfo=UTC)
    assert event.resolved_at is None
    payload["status"] = "resolved"  # resolved with Go's zero endsAt: still "not ended"
    assert alertmanager.from_webhook(payload, now=NOW)[0].resolved_at is None


def test_alertmanager_three_alert_group():
    events = alertmanager.from_webhook(
        load("alertmanager", "prometheus-msteams-card-grafana-inspired-payload.json"), now=NOW)
    assert [e.external_id for e in events] == ["ff6a7a0f5f1c1309", "554664fa753a2b45", "911c76f0240f015b"]
    assert {(e.action, e.severity, e.environment, e.resolved_at) for e in events} == {
        ("open", "sev4", "whatever/promstack", None)}
    assert events[0].title == "Ratio(Max(Working Set, RSS) / Reservation) [5m Avg] < 40 %"
    assert events[0].started_at == datetime(2020, 10, 11, 14, 34, 11, 279383, tzinfo=UTC)


def test_alertmanager_label_hash_ignores_label_order():
    assert alertmanager.labels_fingerprint({"a": "1", "b": "2"}) == alertmanager.labels_fingerprint(
        {"b": "2", "a": "1"})
    assert alertmanager.labels_fingerprint({"a": "1"}) != alertmanager.labels_fingerprint({"a": "2"})


@pytest.mark.parametrize(("severity", "expected"), [
    ("critical", "sev1"), ("high", "sev2"), ("error", "sev2"), ("warning", "sev3"), ("info", "sev4"),
    ("whatever", "sev4"), ("", "sev4"), ("SEV2", "sev2"), ("Critical", "sev1"),
])
def test_alertmanager_severity(severity, expected):
    assert alertmanager.severity_of({"severity": severity}) == expected


@pytest.mark.parametrize(("labels", "environment"), [
    ({"environment": "Production"}, "production"), ({"env": "staging"}, "staging"),
    ({"namespace": "shop"}, "shop"), ({"environment": "prod", "namespace": "shop"}, "prod"), ({}, ""),
])
def test_alertmanager_environment_labels(labels, environment):
    payload = load("alertmanager", "alertmanager-bot-firing.json")
    payload["alerts"][0]["labels"].update(labels)
    assert alertmanager.from_webhook(payload, now=NOW)[0].environment == environment


def test_alertmanager_docs_pseudo_json_is_refused():
    text = (FIXTURES / "alertmanager" / "alertmanager-docs-webhook-format.txt").read_text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(ReportError) as caught:
        alertmanager.from_webhook(text, now=NOW)  # a caller that skipped json.loads
    assert caught.value.field == "payload"


def _alert_change(**changes):
    def build():
        payload = load("alertmanager", "alertmanager-bot-resolved.json")
        payload["alerts"][0].update(changes)
        return payload
    return build


@pytest.mark.parametrize(("payload", "field"), [
    (lambda: [], "payload"),
    (lambda: {"version": "3", "alerts": []}, "version"),
    (lambda: {"version": "4", "alerts": []}, "alerts"),
    (_alert_change(startsAt="2018-11-04T22:43:58"), "alerts[0].startsAt"),  # naive
    (_alert_change(startsAt=None), "alerts[0].startsAt"),
    (_alert_change(startsAt="2026-02-01T00:00:00Z"), "alerts[0].startsAt"),  # far future
    (_alert_change(endsAt="2018-11-04T20:00:00Z"), "alerts[0].endsAt"),  # resolved before it started
    (_alert_change(status="pending"), "alerts[0].status"),
    (_alert_change(labels={}), "alerts[0].labels"),
])
def test_alertmanager_bad_input_names_the_field(payload, field):
    with pytest.raises(ReportError) as caught:
        alertmanager.from_webhook(payload(), now=NOW)
    assert caught.value.field == field


# --- shared validation helpers and value types ----------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("2019-05-15T15:20:53Z", utc(2019, 5, 15, 15, 20, 53)),
    ("2019-05-15T17:20:53+02:00", utc(2019, 5, 15, 15, 20, 53)),
    ("2021-04-28 21:50:00 +0200", utc(2021, 4, 28, 19, 50)),
    ("2016-08-12 15:23:28 UTC", utc(2016, 8, 12, 15, 23, 28)),
    ("2018-03-07T06:33:21.873077559-05:00", datetime(2018, 3, 7, 11, 33, 21, 873077, tzinfo=UTC)),
    ("2026-01-01T23:59:59Z", utc(2026, 1, 1, 23, 59, 59)),  # within a day of NOW: clock skew allowed
])
def test_parse_timestamp_accepts(text, expected):
    parsed = parse_timestamp(text, "at", now=NOW)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [
    "2019-05-15T15:20:53", "2021-04-28 21:50:00", "2019-05-15", "not a date", "", None, 1557933653,
    "2026-01-02T00:00:01Z",
])
def test_parse_timestamp_refuses(value):
    with pytest.raises(ReportError) as caught:
        parse_timestamp(value, "when", now=NOW)
    assert caught.value.field == "when"


def test_parse_timestamp_without_now_skips_the_future_check():
    assert parse_timestamp("2999-01-01T00:00:00Z", "at") == utc(2999, 1, 1)


@pytest.mark.parametrize(("value", "ok"), [
    (SHA, True), (SHA.upper(), True), ("f95f852", True), ("f95f85", False), (SHA + "0", False),
    ("g95f852", False), ("", False), (None, False), ("f95f 852", False),
])
def test_check_sha(value, ok):
    if ok:
        assert check_sha(value, "sha") == value.lower()
    else:
        with pytest.raises(ReportError) as caught:
            check_sha(value, "sha")
        assert caught.value.field == "sha"


def test_check_span():
    check_span(utc(2020, 1, 1), utc(2020, 1, 1))
    check_span(None, utc(2020, 1, 1))
    check_span(utc(2020, 1, 1), None)
    with pytest.raises(ReportError) as caught:
        check_span(utc(2020, 1, 2), utc(2020, 1, 1))
    assert caught.value.field == "finished_at"
    assert isinstance(caught.value, ValueError)


def test_value_types_are_frozen_and_validate():
    report = github.from_deployment_status(github_status(), now=NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.status = "failure"
    for field, value in [("status", "done"), ("kind", "yolo"), ("source", "jenkins"), ("commit", "f95f852"),
                         ("environment_tier", "prod"), ("started_at", datetime(2019, 5, 15)),
                         ("finished_at", utc(2000, 1, 1)), ("environment", "")]:
        with pytest.raises(ReportError) as caught:
            dataclasses.replace(report, **{field: value})
        assert caught.value.field == field
    event = IncidentEvent(external_id="x", action="open", title="t", severity="sev1", environment="",
                          started_at=NOW, resolved_at=None, description="", source="api")
    for field, value in [("action", "close"), ("severity", "sev5"), ("source", "pagerduty"),
                         ("resolved_at", NOW - timedelta(seconds=1)), ("external_id", "")]:
        with pytest.raises(ReportError) as caught:
            dataclasses.replace(event, **{field: value})
        assert caught.value.field == field


def test_engine_does_not_import_django():
    code = (
        "import sys; import apps.deployments.receivers.github, apps.deployments.receivers.gitlab, "
        "apps.deployments.receivers.alertmanager, apps.deployments.receivers.signatures; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- environments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "tier"), [
    ("production", "production"), ("prod", "production"), ("Production", "production"),
    ("production-eu", "production"), ("prod/us-east-1", "production"), ("eu-production", "production"),
    ("live", "production"), ("prd", "production"), ("gh-pages", "production"), ("github-pages", "production"),
    ("staging", "staging"), ("stage", "staging"), ("staging-2", "staging"), ("preprod", "staging"),
    ("pre-prod", "staging"), ("pre-prod-eu", "staging"), ("pre_production", "staging"), ("uat", "staging"),
    ("test", "testing"), ("testing", "testing"), ("qa", "testing"), ("qa2", "testing"), ("ci", "testing"),
    ("dev", "development"), ("development", "development"), ("local", "development"),
    ("sandbox", "development"), ("preview", "development"), ("preview-pr-12", "development"),
    ("review/feature-x", "development"), ("review/production-fix", "development"),
    ("mystery", "development"), ("", "development"),
])
def test_infer_tier(name, tier):
    assert infer_tier(name) == tier


@pytest.mark.parametrize(("name", "slug"), [
    ("Production", "production"), ("  Production EU ", "production-eu"), ("prod/us-east-1", "prod/us-east-1"),
    ("review/Feature X!", "review/feature-x"), ("gh-pages", "gh-pages"), ("a -- b", "a-b"), ("", ""),
    ("--x--", "x"),
])
def test_slugify_environment(name, slug):
    assert slugify_environment(name) == slug
