"""Hand-worked scenarios for the DORA reference engine (``apps.deployments.dora``): each expected figure is derived
in a comment. No database; the period is the week of Monday 2026-01-05 (ISO 2026-W02) unless said otherwise.
"""

from datetime import UTC, datetime, timedelta

import pytest

from apps.deployments.dora.bands import BANDS, band
from apps.deployments.dora.metrics import METRICS, dora, drill_down, suggest_cause, weekly_trend
from apps.deployments.dora.records import Change, Deployment, Incident

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
WEEK = {"start": T0, "end": T0 + timedelta(days=7)}
H = 3600


def at(day: float, hour: float = 0) -> datetime:
    return T0 + timedelta(days=day, hours=hour)


def dep(id, day, hour, *, env="prod-eu", tier="production", status="success", kind="planned", rollback_of=None,
        components=("api",), shas=()):
    # finished at (day, hour); every deployment takes 10 minutes
    finished = at(day, hour)
    return Deployment(id, env, tier, status, kind, finished - timedelta(minutes=10), finished, rollback_of,
                      tuple(components), tuple(shas))


def chg(sha, day, hour):
    return Change(sha, committed_at=at(day, hour), authored_at=at(day, hour))


def inc(id, day, hour, *, env="prod-eu", resolved=None, caused_by=None, fixed_by=None):
    return Incident(id, env, at(day, hour), at(day, hour), resolved, caused_by, fixed_by)


# --- deployment frequency -------------------------------------------------------------------------------------

FREQUENCY_DEPLOYS = [
    dep("d0", -1, 10),  # before the period
    dep("d1", 0, 10, shas=("c1",)),
    dep("d2", 0, 15, components=("web",)),
    dep("s1", 1, 10, env="staging", tier="staging"),  # not production
    dep("d3", 2, 10, env="prod-us"),
    dep("f1", 3, 10, status="failure"),  # never reached production
    dep("d9", 7, 0),  # exactly at the end: half-open period excludes it
]


@pytest.mark.parametrize(
    "filters, count, per_week, per_day, deploy_days, deploy_days_per_week, band_name",
    [
        # d1, d2, d3 in 7 days -> 3.0/week, 3/7 per day; deploy days: day 0, day 2 -> 2.0/week; 1..7/week = high
        ({}, 3, 3.0, 3 / 7, 2, 2.0, "high"),
        # prod-eu only: d1, d2 (same day) -> 2.0/week, 1 deploy day -> 1.0/week
        ({"environment": "prod-eu"}, 2, 2.0, 2 / 7, 1, 1.0, "high"),
        # component api: d1 (prod-eu) and d3 (prod-us) -> 2.0/week on 2 days
        ({"component": "api"}, 2, 2.0, 2 / 7, 2, 2.0, "high"),
        # component web: d2 only -> 1.0/week: still high (once a week is the boundary)
        ({"component": "web"}, 1, 1.0, 1 / 7, 1, 1.0, "high"),
        # component web in prod-us: nothing -> None, band None (empty period)
        ({"component": "web", "environment": "prod-us"}, 0, None, None, 0, None, None),
    ],
)
def test_deployment_frequency(filters, count, per_week, per_day, deploy_days, deploy_days_per_week, band_name):
    got = dora(FREQUENCY_DEPLOYS, [], [], **WEEK, **filters)["deployment_frequency"]
    assert got["deployments"] == count
    assert got["value"] == pytest.approx(per_week) if per_week is not None else got["value"] is None
    assert got["per_day"] == pytest.approx(per_day) if per_day is not None else got["per_day"] is None
    assert got["deploy_days"] == deploy_days
    if deploy_days_per_week is None:
        assert got["deploy_days_per_week"] is None
    else:
        assert got["deploy_days_per_week"] == pytest.approx(deploy_days_per_week)
    assert got["unit"] == "deployments/week"
    assert got["band"] == band_name


def test_frequency_over_a_two_day_period_is_normalised_to_a_week():
    # d1, d2 on day 0 in a 2-day period -> 2 / 2 days * 7 = 7.0/week (high: exactly once a day is not elite)
    got = dora(FREQUENCY_DEPLOYS, [], [], start=T0, end=at(2))["deployment_frequency"]
    assert got["value"] == pytest.approx(7.0)
    assert got["band"] == "high"


# --- lead time for changes ------------------------------------------------------------------------------------

LEAD_CHANGES = [
    chg("c0", -30, 0),  # old history: never listed by a deployment
    chg("c1", 0, 10),
    chg("c2", 0, 11),
    chg("c3", 1, 6),
    chg("c4", 2, 13),  # committed after d3 finished: clock skew
    chg("c5", -3, 0),
]
LEAD_DEPLOYS = [
    dep("p0", -2, 12, env="prod-old", shas=("c5",)),  # delivered c5 before the period (another env)
    # d1 is prod-eu's FIRST deployment: only c1 and c2 count, not the history (c0, c5) before it
    dep("d1", 0, 12, shas=("c1", "c2")),
    dep("d2", 1, 12, shas=("c3", "c1")),  # c1 again: already delivered to prod-eu, ignored
    dep("d3", 2, 12, shas=("c4", "zz")),  # c4 negative span; zz has no Change record
]


def test_lead_time_first_deployment_negative_spans_and_repeats():
    got = dora(LEAD_DEPLOYS, LEAD_CHANGES, [], **WEEK)["lead_time_for_changes"]
    # c1: day0 10:00 -> d1 day0 12:00 = 2 h = 7200 s; c2: 11:00 -> 12:00 = 3600 s; c3: day1 06:00 -> 12:00 = 21600
    # c4: 13:00 -> 12:00 = -1 h -> dropped (negative_spans 1); zz unknown; c5 delivered before the period
    # sorted 3600, 7200, 21600 -> median 7200; p90 nearest rank ceil(0.9 * 3) = 3rd -> 21600
    assert got["changes"] == 3
    assert got["negative_spans"] == 1
    assert got["unknown_changes"] == 1
    assert got["value"] == 7200
    assert got["p90"] == 21600
    assert got["unit"] == "seconds"
    assert got["band"] == "elite"  # 2 h < 1 day
    ids = drill_down(LEAD_DEPLOYS, LEAD_CHANGES, [], **WEEK)["lead_time_for_changes"]
    # in delivery order (d1's then d2's), by sha within one deployment
    assert ids["changes"] == ["c1", "c2", "c3"]
    assert ids["deployments"] == ["d1", "d2"]


def test_lead_time_counts_a_change_once_per_production_environment():
    deploys = [dep("eu", 0, 12, shas=("c1",)), dep("us", 1, 12, env="prod-us", shas=("c1",))]
    changes = [chg("c1", 0, 10)]
    # prod-eu: 10:00 -> day0 12:00 = 7200; prod-us: 10:00 -> day1 12:00 = 26 h = 93600; median (7200+93600)/2
    both = dora(deploys, changes, [], **WEEK)["lead_time_for_changes"]
    assert (both["changes"], both["value"]) == (2, 50400)
    us = dora(deploys, changes, [], **WEEK, environment="prod-us")["lead_time_for_changes"]
    assert (us["changes"], us["value"], us["band"]) == (1, 93600, "high")  # 26 h: 1 day .. 1 week


def test_lead_time_component_filter_only_sees_that_components_deployments():
    deploys = [dep("web1", 0, 12, components=("web",), shas=("c1",)), dep("api1", 1, 12, shas=("c1",))]
    changes = [chg("c1", 0, 10)]
    # api: c1's first api deployment is api1 at day1 12:00 -> 26 h; web: web1 -> 2 h
    assert dora(deploys, changes, [], **WEEK, component="api")["lead_time_for_changes"]["value"] == 93600
    assert dora(deploys, changes, [], **WEEK, component="web")["lead_time_for_changes"]["value"] == 7200


ROLLBACK_DEPLOYS = [
    dep("a", 0, 10, shas=("c1",)),
    dep("b", 0, 11, kind="rollback", rollback_of="a", shas=("c0",)),  # restores older code
    dep("c", 1, 10, shas=("c1",)),  # c1 shipped again, successfully
]
ROLLBACK_CHANGES = [chg("c0", -5, 0), chg("c1", 0, 8)]


def test_rolled_back_changes_count_at_their_successful_redeploy():
    got = dora(ROLLBACK_DEPLOYS, ROLLBACK_CHANGES, [], **WEEK)
    # a was rolled back by b, so a did not deliver c1; b is a rollback, delivers nothing (c0 is not counted);
    # c delivers c1: day0 08:00 -> day1 10:00 = 26 h = 93600 s
    assert got["lead_time_for_changes"]["changes"] == 1
    assert got["lead_time_for_changes"]["value"] == 93600
    ids = drill_down(ROLLBACK_DEPLOYS, ROLLBACK_CHANGES, [], **WEEK)
    assert ids["lead_time_for_changes"] == {"deployments": ["c"], "changes": ["c1"], "incidents": []}
    # a, b, c in the period; a was rolled back -> change failure rate 1/3
    assert got["change_failure_rate"]["value"] == pytest.approx(1 / 3)
    assert ids["change_failure_rate"]["deployments"] == ["a"]
    # a finished day0 10:00; its rollback b started 10:50 and is itself the first success after that -> 11:00
    # -> 3600 s, exactly one hour: not elite (< 1 h), high
    assert got["failed_deployment_recovery_time"]["value"] == 3600
    assert got["failed_deployment_recovery_time"]["band"] == "high"
    # b is the one unplanned deployment of 3 -> 1/3, no band (DORA 2024 gives none)
    assert got["deployment_rework_rate"]["value"] == pytest.approx(1 / 3)
    assert got["deployment_rework_rate"]["band"] is None


def test_rolled_back_change_never_redeployed_has_no_lead_time():
    got = dora(ROLLBACK_DEPLOYS[:2], ROLLBACK_CHANGES, [], **WEEK)["lead_time_for_changes"]
    assert (got["changes"], got["value"]) == (0, None)


def test_failed_rollback_recovers_at_the_next_successful_deployment():
    deploys = [
        dep("a", 0, 10, shas=("c1",)),
        dep("b", 0, 11, kind="rollback", rollback_of="a", status="failure"),
        dep("h", 0, 13, kind="hotfix", shas=("c2",)),
    ]
    got = dora(deploys, [], [], **WEEK)
    # b (the rollback) failed: service restored by h, the next success after b started -> 10:00 -> 13:00 = 10800
    assert got["failed_deployment_recovery_time"]["value"] == 10800
    # successful deployments a, h; a rolled back -> 1/2 = 0.5; rework: h (b failed, not counted) -> 1/2
    assert got["change_failure_rate"]["value"] == 0.5
    assert got["deployment_rework_rate"]["value"] == 0.5


def test_a_failed_deployment_is_not_the_first_delivery():
    deploys = [dep("x", 0, 10, status="failure", shas=("c1",)), dep("y", 0, 12, shas=("c1",))]
    # c1 committed day0 08:00; x failed; y delivers at 12:00 -> 4 h
    assert dora(deploys, [chg("c1", 0, 8)], [], **WEEK)["lead_time_for_changes"]["value"] == 4 * H


# --- change failure rate and recovery -------------------------------------------------------------------------

INCIDENT_DEPLOYS = [
    dep("a", 0, 10),
    dep("h", 0, 12, kind="hotfix"),
    dep("e", 1, 10),
    dep("f", 2, 10),
    dep("g", 3, 10),
]
INCIDENTS = [
    # caused by a, fixed by hotfix h at day0 12:00, resolved 14:00 -> restored at the earlier, 12:00
    inc("i1", 0, 10.5, resolved=at(0, 14), caused_by="a", fixed_by="h"),
    # caused by e, no fix, resolved day2 10:00 -> 24 h after e finished
    inc("i2", 1, 11, resolved=at(2, 10), caused_by="e"),
    # caused by f, never resolved -> unrecovered
    inc("i3", 2, 11, caused_by="f"),
    # no known cause: changes no rate, only counted
    inc("i4", 3, 11, resolved=at(3, 12)),
]


def test_change_failure_rate_and_recovery_from_incidents():
    got = dora(INCIDENT_DEPLOYS, [], INCIDENTS, **WEEK)
    cfr = got["change_failure_rate"]
    # a, e, f caused incidents; 5 deployments -> 3/5 = 0.6 -> low (> 15 %)
    assert (cfr["failed_deployments"], cfr["deployments"], cfr["value"], cfr["band"]) == (3, 5, 0.6, "low")
    assert cfr["incidents_without_cause"] == 1
    rec = got["failed_deployment_recovery_time"]
    # a: 10:00 -> 12:00 = 7200; e: 86400; f unrecovered; median (7200 + 86400) / 2 = 46800 -> high (< 1 day)
    assert (rec["recovered"], rec["unrecovered"], rec["value"], rec["band"]) == (2, 1, 46800, "high")
    # h is the only hotfix: 1/5
    assert got["deployment_rework_rate"]["value"] == pytest.approx(0.2)
    ids = drill_down(INCIDENT_DEPLOYS, [], INCIDENTS, **WEEK)
    assert ids["change_failure_rate"] == {
        "deployments": ["a", "e", "f"],
        "changes": [],
        "incidents": ["i1", "i2", "i3"],
    }
    assert ids["failed_deployment_recovery_time"]["deployments"] == ["a", "e"]
    assert ids["failed_deployment_recovery_time"]["incidents"] == ["i1", "i2"]
    assert ids["deployment_rework_rate"]["deployments"] == ["h"]
    assert ids["deployment_frequency"]["deployments"] == ["a", "h", "e", "f", "g"]


def test_incidents_without_cause_leave_the_rate_at_zero():
    got = dora(INCIDENT_DEPLOYS, [], [INCIDENTS[3]], **WEEK)
    # 0 failing of 5 -> 0.0, elite; no failing deployment -> recovery median of nothing -> None
    assert got["change_failure_rate"]["value"] == 0.0
    assert got["change_failure_rate"]["band"] == "elite"
    assert got["change_failure_rate"]["incidents_without_cause"] == 1
    assert got["failed_deployment_recovery_time"]["value"] is None
    assert got["failed_deployment_recovery_time"]["band"] is None


def test_resolution_before_the_deployment_finished_is_a_negative_span():
    deploys = [dep("a", 0, 10)]
    incidents = [inc("i", 0, 9, resolved=at(0, 9.5), caused_by="a")]  # misattributed: resolved before a finished
    got = dora(deploys, [], incidents, **WEEK)["failed_deployment_recovery_time"]
    assert (got["negative_spans"], got["value"]) == (1, None)


# --- empty period -----------------------------------------------------------------------------------------------


def test_empty_period_gives_none_values_and_bands():
    got = dora(INCIDENT_DEPLOYS, [], INCIDENTS, start=at(10), end=at(17))
    assert set(got) == set(METRICS)
    for name in METRICS:
        assert got[name]["value"] is None, name
        assert got[name]["band"] is None, name
        assert got[name]["unit"] == BANDS[name]["unit"]
    assert got["deployment_frequency"]["deployments"] == 0


def test_a_period_must_not_be_empty_or_reversed():
    with pytest.raises(ValueError):
        dora([], [], [], start=T0, end=T0)


# --- bands ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric, value, expected",
    [
        # frequency per week: > 7 elite (several a day), 1..7 high, 7/30..1 medium, < 7/30 (less than monthly) low
        ("deployment_frequency", 7.01, "elite"),
        ("deployment_frequency", 7.0, "high"),
        ("deployment_frequency", 1.0, "high"),
        ("deployment_frequency", 0.99, "medium"),
        ("deployment_frequency", 7 / 30, "medium"),
        ("deployment_frequency", 0.23, "low"),
        ("deployment_frequency", 0.0, "low"),
        # lead time: < 1 day elite, < 1 week high, < 30 days medium, else low
        ("lead_time_for_changes", 86_399, "elite"),
        ("lead_time_for_changes", 86_400, "high"),
        ("lead_time_for_changes", 604_799, "high"),
        ("lead_time_for_changes", 604_800, "medium"),
        ("lead_time_for_changes", 2_591_999, "medium"),
        ("lead_time_for_changes", 2_592_000, "low"),
        # change failure rate: <= 5 % elite, <= 10 % high, <= 15 % medium, else low
        ("change_failure_rate", 0.0, "elite"),
        ("change_failure_rate", 0.05, "elite"),
        ("change_failure_rate", 0.0501, "high"),
        ("change_failure_rate", 0.10, "high"),
        ("change_failure_rate", 0.15, "medium"),
        ("change_failure_rate", 0.1501, "low"),
        # recovery: < 1 h elite, < 1 day high, < 1 week medium, else low
        ("failed_deployment_recovery_time", 3_599, "elite"),
        ("failed_deployment_recovery_time", 3_600, "high"),
        ("failed_deployment_recovery_time", 86_400, "medium"),
        ("failed_deployment_recovery_time", 604_799, "medium"),
        ("failed_deployment_recovery_time", 604_800, "low"),
        # rework rate: no DORA bands
        ("deployment_rework_rate", 0.0, None),
        ("deployment_rework_rate", 0.5, None),
        # no value, no band
        ("lead_time_for_changes", None, None),
    ],
)
def test_band_boundaries(metric, value, expected):
    assert band(metric, value) == expected


def test_band_of_an_unknown_metric_is_an_error():
    with pytest.raises(KeyError):
        band("mttr", 1.0)


# --- weekly trend -----------------------------------------------------------------------------------------------


def test_weekly_trend_per_iso_week():
    deploys = [dep("w1a", 0, 10), dep("w1b", 4, 10), dep("w3", 15, 10)]
    trend = weekly_trend(deploys, [], [], start=T0, end=at(21))
    # three ISO weeks from Monday 2026-01-05: W02 (2 deploys -> 2.0/week), W03 (none -> None), W04 (1 -> 1.0)
    assert [w["week"] for w in trend] == ["2026-W02", "2026-W03", "2026-W04"]
    assert [w["metrics"]["deployment_frequency"]["value"] for w in trend] == [2.0, None, 1.0]
    assert [w["start"] for w in trend] == [T0, at(7), at(14)]


def test_weekly_trend_clips_partial_weeks():
    deploys = [dep("wed", 2, 10), dep("mon", 7, 10)]
    # Wednesday day 2 .. Tuesday day 8: W02 is clipped to Wed..Mon (5 days): 1 deploy -> 1 / 5 * 7 = 1.4/week;
    # W03 is clipped to Mon..Tue (1 day): 1 deploy -> 7.0/week
    trend = weekly_trend(deploys, [], [], start=at(2), end=at(8))
    assert [w["week"] for w in trend] == ["2026-W02", "2026-W03"]
    assert trend[0]["start"] == at(2) and trend[0]["end"] == at(7)
    assert trend[0]["metrics"]["deployment_frequency"]["value"] == pytest.approx(1.4)
    assert trend[1]["metrics"]["deployment_frequency"]["value"] == pytest.approx(7.0)


# --- suggest_cause ----------------------------------------------------------------------------------------------

CAUSE_DEPLOYS = [
    dep("old", -1, 10),  # 74 h before the incident
    dep("x", 2, 11),
    dep("failed", 2, 11.5, status="failure"),
    dep("other-env", 2, 11.75, env="prod-us"),
    dep("same-instant", 2, 12),  # finishes exactly when the incident starts: not "before"
]


@pytest.mark.parametrize(
    "deploys, window, expected",
    [
        # the latest successful prod-eu deployment finished before day2 12:00 is x (11:00)
        (CAUSE_DEPLOYS, timedelta(hours=72), "x"),
        # only "old": 74 h before -> outside the default 72 h window
        (CAUSE_DEPLOYS[:1], timedelta(hours=72), None),
        # a 74 h window includes it (the bound is inclusive)
        (CAUSE_DEPLOYS[:1], timedelta(hours=74), "old"),
        # nothing before the incident
        (CAUSE_DEPLOYS[4:], timedelta(hours=72), None),
    ],
)
def test_suggest_cause(deploys, window, expected):
    incident = inc("i", 2, 12)
    got = suggest_cause(incident, deploys, window=window)
    assert (got.id if got else None) == expected


def test_suggest_cause_default_window_is_72_hours():
    deploys = [dep("edge", -1, 12)]  # exactly 72 h before day2 12:00
    assert suggest_cause(inc("i", 2, 12), deploys).id == "edge"
    assert suggest_cause(inc("i", 2, 12, env="prod-us"), deploys) is None  # another environment
