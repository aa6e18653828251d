"""DORA from the database (apps.deployments.dora_queries) against the reference engine (apps.deployments.dora).

Hand-worked scenarios first (each expected figure derived in a comment; the period is the week of Monday
2026-01-05, ISO 2026-W02, unless said otherwise), then a randomized comparison with the engine fed with records built
from what was reported. Deployments go through the report service, as CI's would; incidents are created directly.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from apps.architecture.models import Component
from apps.deployments import services
from apps.deployments.dora import metrics as engine
from apps.deployments.dora import records as r
from apps.deployments.dora_queries import (
    API_NAMES,
    dora_drill_down,
    dora_report,
    dora_trend,
    engine_records,
    forget_deployment,
    rebuild_deliveries,
    record_deliveries,
)
from apps.deployments.dora_queries.deliveries import refresh_in_python
from apps.deployments.models import Change, ChangeDelivery, Deployment, Environment, Incident

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
WEEK = {"start": T0, "end": T0 + timedelta(days=7)}
H = 3600
FINAL = ("success", "failure", "cancelled")


def at(day: float, hour: float = 0) -> datetime:
    return T0 + timedelta(days=day, hours=hour)


def sha(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


class World:
    """One project's deployments, reported through the service by name (the name is the external id)."""

    def __init__(self, project, user):
        self.project, self.user = project, user
        self.commits: dict[str, datetime | None] = {}
        for slug, tier in (("prod-eu", "production"), ("prod-us", "production"), ("staging", "staging")):
            Environment.objects.create(project=project, slug=slug, name=slug, tier=tier)
        for key in ("api", "web", "db"):
            Component.objects.create(project=project, key=key, name=key)

    def commit(self, name: str, day: float | None, hour: float = 0) -> None:
        self.commits[name] = None if day is None else at(day, hour)

    def deploy(self, name, day, hour, *, env="prod-eu", status="success", kind="planned", rollback_of=None,
               components=("api",), shas=(), started=None) -> Deployment:  # fmt: skip
        """Report ``name`` finished at (day, hour) — or not finished, if its status isn't final; it started 10
        minutes before (or at ``started``)."""
        finished = at(day, hour)
        values = {"environment": env, "status": status, "kind": kind, "external_id": name,
                  "started_at": started or finished - timedelta(minutes=10), "components": list(components),
                  "changes": [{"sha": sha(s), "committed_at": self.commits.get(s)} for s in shas]}  # fmt: skip
        if status in FINAL:
            values["finished_at"] = finished
        target = Deployment.objects.filter(project=self.project, external_id=rollback_of or "").first()
        if target is not None and target.environment.slug != env:
            # The service refuses a rollback of another environment's deployment; the figures must still be right
            # for such rows (an admin edit, data from before the rule): they are written past the service.
            deployment = services.deployment_report(project=self.project, actor=self.user, values=values)
            Deployment.objects.filter(pk=deployment.pk).update(rollback_of=target)
            deployment.refresh_from_db()
            record_deliveries(deployment)
            return deployment
        if rollback_of is not None:
            values["rollback_of"] = rollback_of
        return services.deployment_report(project=self.project, actor=self.user, values=values)  # records deliveries

    def incident(self, name, day, hour, *, env="prod-eu", resolved=None, caused_by=None, fixed_by=None) -> Incident:
        return Incident.objects.create(
            project=self.project, title=name, environment=Environment.objects.get(project=self.project, slug=env)
            if env else None, started_at=at(day, hour), detected_at=at(day, hour), resolved_at=resolved,
            caused_by=self.dep(caused_by) if caused_by else None, fixed_by=self.dep(fixed_by) if fixed_by else None,
        )  # fmt: skip

    def dep(self, name: str) -> Deployment:
        return Deployment.objects.get(project=self.project, external_id=name)

    def ids(self, *names) -> list[int]:
        return [self.dep(name).pk for name in names]

    def change_ids(self, *names) -> list[int]:
        return [Change.objects.get(project=self.project, sha=sha(name)).pk for name in names]

    def incident_ids(self, *titles) -> list[int]:
        return [Incident.objects.get(project=self.project, title=title).pk for title in titles]

    def report(self, start=T0, end=None, **filters) -> dict:
        return dora_report(project=self.project, start=start, end=end or start + timedelta(days=7), **filters)

    def drill(self, metric, start=T0, end=None, **filters) -> dict:
        end = end or start + timedelta(days=7)
        return dora_drill_down(project=self.project, start=start, end=end, metric=metric, **filters)


@pytest.fixture
def world(project, users):
    return World(project, users["owner"])


def rows(project) -> set[tuple]:
    return set(ChangeDelivery.objects.filter(environment__project=project).values_list(
        "environment_id", "component_id", "change_id", "deployment_id", "delivered_at", "lead_seconds"))  # fmt: skip


# --- deployment frequency and rework ----------------------------------------------------------------------------


def frequency_world(world):
    world.deploy("d0", -1, 10)  # before the period
    world.deploy("d1", 0, 10, shas=("c1",))
    world.deploy("d2", 0, 15, components=("web",))
    world.deploy("s1", 1, 10, env="staging")  # not production
    world.deploy("d3", 2, 10, env="prod-us")
    world.deploy("f1", 3, 10, status="failure")  # never reached production
    world.deploy("q1", 3, 12, status="queued")  # still queued: not finished
    world.deploy("d9", 7, 0)  # exactly at the end: the half-open period excludes it


@pytest.mark.parametrize(
    "filters, count, per_week, deploy_days, band_name, ids",
    [
        # d1, d2, d3 in 7 days -> 3.0/week (1..7/week: high); deploy days: day 0, day 2 -> 2
        ({}, 3, 3.0, 2, "high", ["d1", "d2", "d3"]),
        # prod-eu only: d1, d2 (same day) -> 2.0/week, 1 deploy day
        ({"environment": "prod-eu"}, 2, 2.0, 1, "high", ["d1", "d2"]),
        # component api: d1 (prod-eu) and d3 (prod-us) -> 2.0/week on 2 days
        ({"component": "api"}, 2, 2.0, 2, "high", ["d1", "d3"]),
        # component web: d2 only -> 1.0/week: still high (weekly is the boundary)
        ({"component": "web"}, 1, 1.0, 1, "high", ["d2"]),
        # staging is not production; web in prod-us, or an unknown component: nothing -> None
        ({"environment": "staging"}, 0, None, 0, None, []),
        ({"component": "web", "environment": "prod-us"}, 0, None, 0, None, []),
        ({"component": "nope"}, 0, None, 0, None, []),
    ],
)
def test_deployment_frequency(world, filters, count, per_week, deploy_days, band_name, ids):
    frequency_world(world)
    got = world.report(**filters)["deployment_frequency"]
    assert (got["deployments"], got["deploy_days"], got["band"], got["unit"]) == (
        count, deploy_days, band_name, "deployments/week")  # fmt: skip
    if per_week is None:
        assert got["value"] is got["per_day"] is got["deploy_days_per_week"] is None
    else:
        assert got["value"] == pytest.approx(per_week)
        assert got["per_day"] == pytest.approx(per_week / 7)
        assert got["deploy_days_per_week"] == pytest.approx(deploy_days)  # a 7-day period: days per week = days
    assert world.drill("deployment_frequency", **filters)["deployments"] == world.ids(*ids)


def test_frequency_over_a_two_day_period_is_normalised_to_a_week(world):
    frequency_world(world)
    # d1, d2 on day 0 in a 2-day period -> 2 / 2 days * 7 = 7.0/week (exactly daily is high, not elite)
    got = world.report(end=at(2))["deployment_frequency"]
    assert (got["value"], got["band"]) == (pytest.approx(7.0), "high")


# --- lead time for changes --------------------------------------------------------------------------------------


def lead_world(world):
    for name, day, hour in (("c0", -30, 0), ("c1", 0, 10), ("c2", 0, 11), ("c3", 1, 6), ("c4", 2, 13), ("c5", -3, 0)):
        world.commit(name, day, hour)
    world.commit("zz", None)  # a commit reported without any time
    world.deploy("s0", -1, 12, env="staging", shas=("c1", "c2", "c3"))  # staging deliveries don't count
    world.deploy("p0", -2, 12, env="prod-us", shas=("c5",))  # delivered c5 before the period (another environment)
    # d1 is prod-eu's FIRST deployment: only c1 and c2 count, not the history (c0, c5) before it
    world.deploy("d1", 0, 12, shas=("c1", "c2"))
    world.deploy("d2", 1, 12, shas=("c3", "c1"))  # c1 again: already delivered to prod-eu, ignored
    world.deploy("d3", 2, 12, shas=("c4", "zz"))  # c4 committed after d3 finished; zz has no time


def test_lead_time_first_deployment_negative_spans_and_repeats(world):
    lead_world(world)
    got = world.report()["lead_time"]
    # c1: day0 10:00 -> d1 day0 12:00 = 7200 s; c2: 11:00 -> 12:00 = 3600; c3: day1 06:00 -> 12:00 = 21600
    # c4: 13:00 -> 12:00 = -1 h -> negative_spans 1; zz has no time -> unknown_changes 1; c5 before the period
    # sorted 3600, 7200, 21600 -> median 7200; p90 nearest rank ceil(0.9 * 3) = 3rd -> 21600; 2 h < 1 day: elite
    assert got == {"value": 7200, "p90": 21600, "changes": 3, "negative_spans": 1, "unknown_changes": 1,
                   "unit": "seconds", "band": "elite"}  # fmt: skip
    # in delivery order (d1's, then d2's), by sha within a deployment
    ids = world.drill("lead_time")
    order = sorted(["c1", "c2"], key=sha) + ["c3"]
    assert ids == {"deployments": world.ids("d1", "d2"), "changes": world.change_ids(*order), "incidents": []}


def test_a_first_deployment_listing_no_changes_delivers_nothing(world):
    world.commit("c0", -30, 0)  # history before the environment existed
    world.commit("c1", 0, 10)
    world.deploy("first", 0, 9)  # prod-eu's first deployment, listing no change: it does not swallow c0
    world.deploy("next", 0, 12, shas=("c1",))
    # only c1: 10:00 -> 12:00 = 7200 s; two deployments, one delivering
    got = world.report()["lead_time"]
    assert (got["changes"], got["value"], got["negative_spans"], got["unknown_changes"]) == (1, 7200, 0, 0)
    assert world.drill("lead_time")["deployments"] == world.ids("next")
    assert world.report()["deployment_frequency"]["deployments"] == 2


def test_lead_time_counts_a_change_once_per_production_environment(world):
    world.commit("c1", 0, 10)
    world.deploy("eu", 0, 12, shas=("c1",))
    world.deploy("us", 1, 12, env="prod-us", shas=("c1",))
    # prod-eu: 10:00 -> day0 12:00 = 7200; prod-us: -> day1 12:00 = 26 h = 93600; median (7200 + 93600) / 2 = 50400
    both = world.report()["lead_time"]
    assert (both["changes"], both["value"]) == (2, 50400)
    us = world.report(environment="prod-us")["lead_time"]
    assert (us["changes"], us["value"], us["band"]) == (1, 93600, "high")  # 26 h: 1 day .. 1 week
    # the same change twice, once per environment, in delivery order
    assert world.drill("lead_time")["changes"] == world.change_ids("c1", "c1")


def test_lead_time_component_filter_only_sees_that_components_deployments(world):
    world.commit("c1", 0, 10)
    world.deploy("web1", 0, 12, components=("web",), shas=("c1",))
    world.deploy("api1", 1, 12, components=("api",), shas=("c1",))
    # api: c1's first api deployment is api1 at day1 12:00 -> 26 h; web: web1 -> 2 h; any component: web1 -> 2 h
    assert world.report(component="api")["lead_time"]["value"] == 93600
    assert world.report(component="web")["lead_time"]["value"] == 7200
    assert world.report()["lead_time"]["value"] == 7200
    assert world.drill("lead_time", component="api")["deployments"] == world.ids("api1")


def rollback_world(world, order):
    world.commit("c0", -5, 0)
    world.commit("c1", 0, 8)
    steps = {
        "a": lambda: world.deploy("a", 0, 10, shas=("c1",)),
        "b": lambda: world.deploy("b", 0, 11, kind="rollback", rollback_of="a", shas=("c0",)),  # restores older code
        "b-started": lambda: world.deploy("b", 0, 11, kind="rollback", rollback_of="a", status="in_progress"),
        "c": lambda: world.deploy("c", 1, 10, shas=("c1",)),  # c1 shipped again, successfully
    }
    for step in order:
        steps[step]()


@pytest.mark.parametrize("order", [("a", "b", "c"), ("a", "c", "b"), ("a", "b-started", "c", "b"), ("c", "a", "b")])
def test_rolled_back_changes_count_at_their_successful_redeploy(world, order):
    rollback_world(world, order)  # whatever order CI reported them in
    got = world.report()
    # a was rolled back by b: a did not deliver c1; b is a rollback and delivers nothing (c0 not counted);
    # c delivers c1: day0 08:00 -> day1 10:00 = 26 h = 93600 s
    assert (got["lead_time"]["changes"], got["lead_time"]["value"]) == (1, 93600)
    assert world.drill("lead_time") == {"deployments": world.ids("c"), "changes": world.change_ids("c1"),
                                        "incidents": []}  # fmt: skip
    # a, b, c in the period; a was rolled back -> change failure rate 1/3
    assert got["change_failure_rate"]["value"] == pytest.approx(1 / 3)
    assert world.drill("change_failure_rate")["deployments"] == world.ids("a")
    # a finished day0 10:00; its rollback b started 10:50 and is the first success after that (11:00) -> 3600 s,
    # exactly one hour: not elite (< 1 h), high
    assert (got["recovery_time"]["value"], got["recovery_time"]["band"]) == (3600, "high")
    # b is the one unplanned deployment of 3 -> 1/3, no band (DORA 2024 gives none)
    assert (got["rework_rate"]["value"], got["rework_rate"]["band"]) == (pytest.approx(1 / 3), None)
    assert rows(world.project) == (rebuild_deliveries(project=world.project) and rows(world.project))


def test_the_delivery_moves_when_a_later_report_marks_the_deployment_rolled_back(world):
    rollback_world(world, ("a", "c"))
    # before the rollback is known, a delivered c1: 08:00 -> day0 10:00 = 7200
    assert world.report()["lead_time"]["value"] == 7200
    rollback_world(world, ("b-started",))
    # a rollback in progress has not rolled anything back yet (the engine counts successful ones)
    assert world.report()["lead_time"]["value"] == 7200
    rollback_world(world, ("b",))
    assert world.report()["lead_time"]["value"] == 93600  # now c delivers c1 (26 h)


def test_rolled_back_change_never_redeployed_has_no_lead_time(world):
    rollback_world(world, ("a", "b"))
    got = world.report()["lead_time"]
    assert (got["changes"], got["value"]) == (0, None)
    assert not ChangeDelivery.objects.filter(change_id__in=world.change_ids("c1")).exists()


def test_failed_rollback_recovers_at_the_next_successful_deployment(world):
    world.commit("c1", 0, 8)
    world.deploy("a", 0, 10, shas=("c1",))
    world.deploy("b", 0, 11, kind="rollback", rollback_of="a", status="failure")
    world.deploy("h", 0, 13, kind="hotfix", shas=("c2",))
    got = world.report()
    # b (the rollback) failed: service restored by h, the next success after b started -> 10:00 -> 13:00 = 10800
    assert got["recovery_time"]["value"] == 10800
    # successful deployments a, h; a rolled back -> 1/2; rework: h (b failed, not counted) -> 1/2
    assert (got["change_failure_rate"]["value"], got["rework_rate"]["value"]) == (0.5, 0.5)
    # the failed rollback rolled nothing back for lead time: a delivered c1 (08:00 -> 10:00)
    assert got["lead_time"]["value"] == 2 * H


def test_a_queued_deployment_delivers_once_it_succeeds(world):
    world.commit("c1", 0, 8)
    world.deploy("x", 0, 10, status="failure", shas=("c1",))  # failed: not a delivery
    world.deploy("y", 0, 12, status="queued", shas=("c1",))
    assert world.report()["lead_time"]["changes"] == 0
    world.deploy("y", 0, 12, status="success")  # the same external id: finished now, at 12:00
    # c1 committed 08:00; y delivers at 12:00 -> 4 h
    assert world.report()["lead_time"]["value"] == 4 * H
    before = rows(world.project)
    record_deliveries(world.dep("y"))  # idempotent
    assert rows(world.project) == before


# --- change failure rate and recovery ---------------------------------------------------------------------------


def incident_world(world):
    for name, day, hour, kind in (("a", 0, 10, "planned"), ("h", 0, 12, "hotfix"), ("e", 1, 10, "planned"),
                                  ("f", 2, 10, "planned"), ("g", 3, 10, "planned")):  # fmt: skip
        world.deploy(name, day, hour, kind=kind)
    world.deploy("s", 0, 9, env="staging")
    # caused by a, fixed by hotfix h at day0 12:00, resolved 14:00 -> restored at the earlier, 12:00
    world.incident("i1", 0, 10.5, resolved=at(0, 14), caused_by="a", fixed_by="h")
    # caused by e, no fix, resolved day2 10:00 -> 24 h after e finished
    world.incident("i2", 1, 11, resolved=at(2, 10), caused_by="e")
    # caused by f, never resolved -> unrecovered
    world.incident("i3", 2, 11, caused_by="f")
    # no known cause: changes no rate, only counted — unless outside production or without an environment
    world.incident("i4", 3, 11, resolved=at(3, 12))
    world.incident("i5", 3, 11, env="staging")
    world.incident("i6", 3, 11, env=None)


def test_change_failure_rate_and_recovery_from_incidents(world):
    incident_world(world)
    got = world.report()
    cfr = got["change_failure_rate"]
    # a, e, f caused incidents; 5 deployments -> 3/5 = 0.6 -> low (> 15 %); i4 is the one without a cause
    assert cfr == {"value": 0.6, "failed_deployments": 3, "deployments": 5, "incidents_without_cause": 1,
                   "unit": "fraction", "band": "low"}  # fmt: skip
    # a: 10:00 -> 12:00 = 7200; e: 86400; f unrecovered; median (7200 + 86400) / 2 = 46800 -> high (< 1 day)
    assert got["recovery_time"] == {"value": 46800, "recovered": 2, "unrecovered": 1, "negative_spans": 0,
                                    "unit": "seconds", "band": "high"}  # fmt: skip
    assert got["rework_rate"]["value"] == pytest.approx(0.2)  # h is the only hotfix: 1/5
    assert world.drill("change_failure_rate") == {"deployments": world.ids("a", "e", "f"), "changes": [],
                                                  "incidents": world.incident_ids("i1", "i2", "i3")}  # fmt: skip
    assert world.drill("recovery_time") == {"deployments": world.ids("a", "e"), "changes": [],
                                            "incidents": world.incident_ids("i1", "i2")}  # fmt: skip
    assert world.drill("rework_rate")["deployments"] == world.ids("h")
    # prod-us never had a deployment: its incidents can't be told apart from another tool's; staging isn't prod
    assert world.report(environment="prod-us")["change_failure_rate"]["incidents_without_cause"] == 0


def test_resolution_before_the_deployment_finished_is_a_negative_span(world):
    world.deploy("a", 0, 10)
    world.incident("i", 0, 9, resolved=at(0, 9.5), caused_by="a")  # misattributed: resolved before a finished
    got = world.report()["recovery_time"]
    assert (got["negative_spans"], got["value"], got["band"]) == (1, None, None)


def test_empty_period_gives_none_values_and_bands(world):
    incident_world(world)
    got = world.report(start=at(10), end=at(17))
    assert set(got) == set(API_NAMES.values())
    for name, figure in got.items():
        assert (figure["value"], figure["band"]) == (None, None), name
    assert got["deployment_frequency"]["deployments"] == 0
    assert got["deployment_frequency"]["unit"] == "deployments/week"


def test_a_period_must_not_be_empty_and_the_metric_must_exist(world):
    with pytest.raises(ValueError):
        world.report(start=T0, end=T0)
    with pytest.raises(ValueError):
        world.drill("mttr")


# --- weekly trend -----------------------------------------------------------------------------------------------


def test_weekly_trend_per_iso_week(world):
    world.commit("c1", 0, 8)
    world.deploy("w1a", 0, 10, shas=("c1",))
    world.deploy("w1b", 4, 10, kind="hotfix")
    world.deploy("w3", 15, 10)
    trend = dora_trend(project=world.project, start=T0, end=at(21))
    # three ISO weeks from Monday 2026-01-05: W02 (2 deploys -> 2.0/week; lead 2 h; 1 hotfix of 2 -> 0.5),
    # W03 (none -> None), W04 (1 -> 1.0, nothing failed -> 0.0)
    assert [w["week"] for w in trend] == ["2026-W02", "2026-W03", "2026-W04"]
    assert [w["start"] for w in trend] == [T0, at(7), at(14)]
    assert [w["deployment_frequency"] for w in trend] == [2.0, None, 1.0]
    assert [w["lead_time"] for w in trend] == [7200, None, None]
    assert [w["rework_rate"] for w in trend] == [0.5, None, 0.0]
    assert [w["change_failure_rate"] for w in trend] == [0.0, None, 0.0]
    assert set(trend[0]) == {"week", "start", "end", *API_NAMES.values()}


def test_weekly_trend_clips_partial_weeks(world):
    world.deploy("wed", 2, 10)
    world.deploy("mon", 7, 10)
    # Wednesday day 2 .. Tuesday day 8: W02 clipped to Wed..Mon (5 days): 1 deploy -> 1 / 5 * 7 = 1.4/week;
    # W03 clipped to Mon..Tue (1 day): 1 deploy -> 7.0/week
    trend = dora_trend(project=world.project, start=at(2), end=at(8))
    assert [(w["week"], w["start"], w["end"]) for w in trend] == [
        ("2026-W02", at(2), at(7)),
        ("2026-W03", at(7), at(8)),
    ]
    assert [w["deployment_frequency"] for w in trend] == [pytest.approx(1.4), pytest.approx(7.0)]


# --- keeping the table ------------------------------------------------------------------------------------------


def test_forgetting_a_deployment_moves_its_deliveries(world):
    rollback_world(world, ("a", "b", "c"))
    forget_deployment(world.dep("b"))  # the rollback goes: a delivered c1 after all
    world.dep("b").delete()
    assert world.report()["lead_time"]["value"] == 2 * H  # 08:00 -> a at 10:00
    forget_deployment(world.dep("a"))
    world.dep("a").delete()
    assert world.report()["lead_time"]["value"] == 26 * H  # -> c, day1 10:00
    assert rows(world.project) == (rebuild_deliveries(project=world.project) and rows(world.project))


def test_a_moved_rollback_target_is_recorded_for_the_previous_one_too(world):
    world.commit("c1", 0, 8)
    world.commit("c2", 0, 9)
    world.deploy("a", 0, 10, shas=("c1",))
    world.deploy("a2", 0, 10.5, shas=("c2",))
    world.deploy("b", 0, 11, kind="rollback", rollback_of="a")
    assert world.report()["lead_time"]["changes"] == 1  # c2 only: a was rolled back
    previous = world.dep("b").rollback_of
    world.deploy("b", 0, 11, kind="rollback", rollback_of="a2")  # CI corrects it: b rolled back a2
    record_deliveries(previous)  # what the service does when rollback_of moves
    assert world.report()["lead_time"]["changes"] == 1  # c1 only now
    assert rows(world.project) == (rebuild_deliveries(project=world.project) and rows(world.project))


def test_a_tier_corrected_to_production_brings_its_history(world):
    world.commit("c1", 0, 8)
    Environment.objects.create(project=world.project, slug="edge", name="Edge", tier="development")
    world.deploy("x", 0, 10, env="edge", shas=("c1",))
    assert world.report()["lead_time"]["changes"] == 0
    Environment.objects.filter(slug="edge").update(tier="production")  # the team corrects the tier
    assert world.report()["lead_time"]["value"] == 2 * H


def test_a_rollback_across_production_environments_falls_back_to_the_engine(world):
    world.commit("c1", 0, 8)
    world.deploy("a", 0, 10, shas=("c1",))
    world.deploy("b", 0, 11, env="prod-us", kind="rollback", rollback_of="a")  # rolls back prod-eu from prod-us
    world.deploy("c", 1, 10, shas=("c1",))
    records = engine_records(world.project)
    # all production environments at once: b (in scope) rolled a back -> c delivers c1, 26 h; prod-eu alone: b is
    # out of scope, a delivers, 2 h
    assert world.report()["lead_time"]["value"] == 26 * H
    assert world.report(environment="prod-eu")["lead_time"]["value"] == 2 * H
    for filters in ({}, {"environment": "prod-eu"}):
        expected = engine.dora(*records, **WEEK, **filters)
        assert world.report(**filters) == {API_NAMES[name]: figure for name, figure in expected.items()}


# --- randomized comparison with the engine ----------------------------------------------------------------------


@dataclass
class Spec:
    """What the randomized scenario reported, kept to build the engine's records independently of the database."""

    deployments: dict[str, dict] = field(default_factory=dict)
    commits: dict[str, datetime | None] = field(default_factory=dict)


def random_world(world, seed: int, *, cross: bool) -> Spec:
    rng = random.Random(seed)
    spec = Spec()
    for n in range(24):
        name = f"c{n}"
        spec.commits[name] = None if rng.random() < 0.06 else at(rng.uniform(-10, 20), 0) + timedelta(
            seconds=rng.randrange(3600))  # fmt: skip
        world.commits[name] = spec.commits[name]
    names = []
    for n in range(36):
        name = f"d{n}"
        env = rng.choices(["prod-eu", "prod-us", "staging", "live"], [45, 30, 20, 5])[0]
        kind = rng.choices(["planned", "hotfix", "rollback"], [70, 15, 15])[0]
        same_env = [other for other in names if spec.deployments[other]["env"] == env]
        target = None
        if (kind == "rollback" or rng.random() < 0.05) and names:
            target = rng.choice(names if cross and rng.random() < 0.5 else (same_env or [None]))
        spec.deployments[name] = {
            "env": env, "kind": kind, "rollback_of": target,
            "status": rng.choices(["success", "failure", "cancelled", "queued"], [78, 10, 5, 7])[0],
            "day": rng.randrange(-7, 21), "hour": rng.randrange(0, 48) / 2,  # half hours: ties happen
            "components": tuple(sorted(rng.sample(["api", "web", "db"], rng.choice([0, 1, 1, 2])))),
            "shas": tuple(rng.sample(sorted(spec.commits), rng.randrange(0, 5))),
            "late_rollback": target is not None and rng.random() < 0.4,  # rollback_of only in a later report
        }  # fmt: skip
        names.append(name)
    order = names[:]
    rng.shuffle(order)  # CI reports arrive in any order
    twice = set(rng.sample(names, 10))  # reported started first, then finished
    reported, unfinished = set(), []
    for name in order:
        d = spec.deployments[name]
        common = {"env": d["env"], "kind": d["kind"], "components": d["components"]}
        if name in twice or d["late_rollback"] or (d["rollback_of"] and d["rollback_of"] not in reported):
            world.deploy(name, d["day"], d["hour"], status="in_progress", shas=d["shas"][:1], **common)
            unfinished.append(name)
        else:
            world.deploy(name, d["day"], d["hour"], status=d["status"], shas=d["shas"], rollback_of=d["rollback_of"],
                         **common)  # fmt: skip
        reported.add(name)
    rng.shuffle(unfinished)
    for name in unfinished:
        d = spec.deployments[name]
        world.deploy(name, d["day"], d["hour"], status=d["status"], shas=d["shas"], rollback_of=d["rollback_of"],
                     env=d["env"], kind=d["kind"], components=d["components"])  # fmt: skip
    for n in range(10):
        caused, fixed = rng.sample([None, None, *names], 2)
        world.incident(f"i{n}", rng.uniform(-7, 21), 0, env=rng.choice(["prod-eu", "prod-us", "staging", None]),
                       resolved=at(rng.uniform(-7, 28)) if rng.random() < 0.7 else None, caused_by=caused,
                       fixed_by=fixed)  # fmt: skip
    return spec


def spec_records(world, spec: Spec) -> tuple[list, list, list]:
    """The engine's records from what was reported (not from the queries' own loader)."""
    tiers = dict(Environment.objects.filter(project=world.project).values_list("slug", "tier"))
    deployments = []
    for name, d in spec.deployments.items():
        finished = at(d["day"], d["hour"])
        status = d["status"]
        deployments.append(r.Deployment(
            id=world.dep(name).pk, environment=d["env"], tier=tiers[d["env"]], status=status, kind=d["kind"],
            started_at=finished - timedelta(minutes=10), finished_at=finished if status in FINAL else
            finished - timedelta(minutes=10), rollback_of=world.dep(d["rollback_of"]).pk if d["rollback_of"] else None,
            components=d["components"], change_shas=tuple(sorted(sha(s) for s in d["shas"]))))  # fmt: skip
    stored = set(Change.objects.filter(project=world.project).values_list("sha", flat=True))
    changes = [r.Change(sha(name), committed, committed) for name, committed in spec.commits.items()
               if committed is not None and sha(name) in stored]  # fmt: skip
    incidents = [r.Incident(i.pk, i.environment.slug if i.environment else None, i.started_at, i.detected_at,
                            i.resolved_at, i.caused_by_id, i.fixed_by_id)
                 for i in Incident.objects.filter(project=world.project).order_by("pk")]  # fmt: skip
    return deployments, changes, incidents


def close(got, expected) -> bool:
    """Equal, floats within 1e-12 (PostgreSQL's percentile_cont interpolates a + (b - a) / 2, Python (a + b) / 2)."""
    if isinstance(expected, dict):
        return got.keys() == expected.keys() and all(close(got[k], expected[k]) for k in expected)
    if isinstance(expected, list):
        return len(got) == len(expected) and all(close(a, b) for a, b in zip(got, expected, strict=True))
    if isinstance(expected, float) and isinstance(got, float):
        return got == pytest.approx(expected, rel=1e-12, abs=1e-9)
    return got == expected


PERIODS = [(T0, at(7)), (at(-7), at(21)), (at(1, 6), at(3)), (at(30), at(40))]
FILTERS = [{}, {"environment": "prod-eu"}, {"environment": "prod-us"}, {"environment": "staging"},
           {"component": "api"}, {"component": "web"}, {"environment": "prod-eu", "component": "db"},
           {"component": "nope"}]  # fmt: skip


@pytest.mark.parametrize("seed, cross", [(1, False), (2, False), (3, False), (4, False), (5, True)])
def test_randomized_against_the_engine(world, seed, cross):
    spec = random_world(world, seed, cross=cross)
    records = spec_records(world, spec)
    assert sorted(map(repr, engine_records(world.project)[0])) == sorted(map(repr, records[0]))
    by_sha = dict(Change.objects.filter(project=world.project).values_list("sha", "pk"))
    for start, end in PERIODS:
        for filters in FILTERS:
            expected = engine.dora(*records, start=start, end=end, **filters)
            got = dora_report(project=world.project, start=start, end=end, **filters)
            assert close(got, {API_NAMES[name]: figure for name, figure in expected.items()}), (start, filters)
            ids = engine.drill_down(*records, start=start, end=end, **filters)
            for name, api in API_NAMES.items():
                want = {**ids[name], "changes": [by_sha[s] for s in ids[name]["changes"]]}
                got_ids = dora_drill_down(project=world.project, start=start, end=end, metric=api, **filters)
                assert got_ids == want, (start, filters, api)
    for filters in FILTERS[:6]:
        weeks = engine.weekly_trend(*records, start=at(-7, 5), end=at(21), **filters)
        expected = [{"week": w["week"], "start": w["start"], "end": w["end"],
                     **{API_NAMES[n]: fig["value"] for n, fig in w["metrics"].items()}} for w in weeks]  # fmt: skip
        assert close(dora_trend(project=world.project, start=at(-7, 5), end=at(21), **filters), expected), filters
    # the incremental table equals a rebuild from scratch, and the rule in Python (SQL on PostgreSQL)
    incremental = rows(world.project)
    rebuild_deliveries(project=world.project)
    assert rows(world.project) == incremental
    for environment in Environment.objects.filter(project=world.project):
        listed = Deployment.changes.through.objects.filter(deployment__environment=environment)
        refresh_in_python(environment.pk, sorted(set(listed.values_list("change_id", flat=True))))
    assert rows(world.project) == incremental
