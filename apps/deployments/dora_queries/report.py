"""``dora_report``, ``dora_drill_down`` and ``dora_trend``: the engine's ``dora``/``drill_down``/``weekly_trend``
(apps/deployments/dora/metrics.py, whose docstring states the semantics) computed from the database.

Metric names are the API's: ``lead_time``, ``recovery_time`` and ``rework_rate`` stand for the engine's
``lead_time_for_changes``, ``failed_deployment_recovery_time`` and ``deployment_rework_rate``. Drill-downs list
Change ids where the engine lists shas. A period is half-open, ``start < end`` (else ValueError); weeks are ISO
weeks starting Monday 00:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..dora import metrics as engine
from ..dora.bands import BANDS, band
from ..dora.records import UNPLANNED_KINDS
from ..models import Change, Incident
from . import figures as f
from .records import engine_records

API_NAMES = {
    "deployment_frequency": "deployment_frequency",
    "lead_time_for_changes": "lead_time",
    "change_failure_rate": "change_failure_rate",
    "failed_deployment_recovery_time": "recovery_time",
    "deployment_rework_rate": "rework_rate",
}
ENGINE_NAMES = {api: name for name, api in API_NAMES.items()}


def _check(start: datetime, end: datetime) -> None:
    if not start < end:
        raise ValueError("the period must satisfy start < end")


def _figures(
    lo: datetime, hi: datetime, counts: dict | None, lead: dict | None, recovery: dict | None, without_cause: int
) -> dict:
    """One bucket's five figures, shaped exactly like the engine's ``dora()`` (API names)."""
    counts = counts or {"deployments": 0, "deploy_days": 0, "unplanned": 0, "failing": 0}
    lead = lead or {"changes": 0, "negative_spans": 0, "unknown_changes": 0, "median": None, "p90": None}
    recovery = recovery or {"recovered": 0, "unrecovered": 0, "negative_spans": 0, "median": None}
    days = (hi - lo).total_seconds() / 86_400
    n = counts["deployments"]
    empty = not n
    out = {
        "deployment_frequency": {
            "value": None if empty else n / days * 7,
            "deployments": n,
            "per_day": None if empty else n / days,
            "deploy_days": counts["deploy_days"],
            "deploy_days_per_week": None if empty else counts["deploy_days"] / days * 7,
        },
        "lead_time_for_changes": {
            "value": None if empty or lead["median"] is None else float(lead["median"]),
            "p90": None if empty or lead["p90"] is None else float(lead["p90"]),
            "changes": lead["changes"],
            "negative_spans": lead["negative_spans"],
            "unknown_changes": lead["unknown_changes"],
        },
        "change_failure_rate": {
            "value": None if empty else counts["failing"] / n,
            "failed_deployments": counts["failing"],
            "deployments": n,
            "incidents_without_cause": without_cause,
        },
        "failed_deployment_recovery_time": {
            "value": None if empty else recovery["median"],
            "recovered": recovery["recovered"],
            "unrecovered": recovery["unrecovered"],
            "negative_spans": recovery["negative_spans"],
        },
        "deployment_rework_rate": {
            "value": None if empty else counts["unplanned"] / n,
            "unplanned_deployments": counts["unplanned"],
            "deployments": n,
        },
    }
    for name, figure in out.items():
        figure["unit"] = BANDS[name]["unit"]
        figure["band"] = band(name, figure["value"])
    return {API_NAMES[name]: figure for name, figure in out.items()}


def _buckets(scope: f.Scope, start: datetime, end: datetime, weekly: bool) -> dict:
    """Everything the figures need, per bucket key (None for the whole period, a Monday per week)."""
    return {
        "counts": f.deployment_counts(scope, start, end, weekly),
        "lead": f.lead_times(scope, start, end, weekly),
        "recovery": f.recovery_times(scope, start, end, weekly),
        "without_cause": f.count_incidents_without_cause(scope, start, end, weekly),
    }


def _engine_report(project, start, end, environment, component) -> dict:
    out = engine.dora(*engine_records(project), start=start, end=end, environment=environment, component=component)
    return {API_NAMES[name]: figure for name, figure in out.items()}


def _dora_report(
    *, project, start: datetime, end: datetime, environment: str | None = None, component: str | None = None
) -> dict:
    """``dora_report`` inside ``figures.tuned()``."""
    _check(start, end)
    scope = f.scope_for(project=project, environment=environment, component=component)
    if f.cross_environment_rollbacks(scope):
        return _engine_report(project, start, end, environment, component)
    data = _buckets(scope, start, end, weekly=False)
    return _figures(
        start,
        end,
        *(data[name].get(None) for name in ("counts", "lead", "recovery")),
        data["without_cause"].get(None, 0),
    )


def _weeks(start: datetime, end: datetime) -> list[tuple]:
    """(Monday as a date, lo, hi, "2026-W05") per ISO week of ``[start, end)`` — the engine's weeks, in UTC."""
    return [(monday.date(), lo, hi, label) for monday, lo, hi, label in
            engine.iso_weeks(start.astimezone(UTC), end.astimezone(UTC))]  # fmt: skip


def _dora_trend(
    *, project, start: datetime, end: datetime, environment: str | None = None, component: str | None = None
) -> list[dict]:
    """``dora_trend`` inside ``figures.tuned()``."""
    _check(start, end)
    scope = f.scope_for(project=project, environment=environment, component=component)
    if f.cross_environment_rollbacks(scope):
        weeks = engine.weekly_trend(
            *engine_records(project),
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            environment=environment,
            component=component,
        )
        return [
            {
                "week": w["week"],
                "start": w["start"],
                "end": w["end"],
                **{API_NAMES[name]: figure["value"] for name, figure in w["metrics"].items()},
            }
            for w in weeks
        ]
    data = _buckets(scope, start, end, weekly=True)
    out = []
    for key, lo, hi, label in _weeks(start, end):
        figures = _figures(
            lo, hi, *(data[name].get(key) for name in ("counts", "lead", "recovery")), data["without_cause"].get(key, 0)
        )
        out.append(
            {"week": label, "start": lo, "end": hi, **{name: figure["value"] for name, figure in figures.items()}}
        )
    return out


def _ordered(rows) -> list:
    """Deployment ids in (finished_at, str(id)) order, the engine's."""
    return [pk for pk, _ in sorted(rows, key=lambda row: (row[1], str(row[0])))]


def _incidents_of(project_id: int, deployment_ids: list[int]) -> list[int]:
    caused: dict[int, list[int]] = {}
    for pk, caused_by in (
        Incident.objects.filter(project_id=project_id, caused_by_id__in=deployment_ids)
        .order_by("pk")
        .values_list("pk", "caused_by_id")
    ):
        caused.setdefault(caused_by, []).append(pk)
    return [pk for deployment_id in deployment_ids for pk in caused.get(deployment_id, [])]


def _dora_drill_down(
    *,
    project,
    start: datetime,
    end: datetime,
    metric: str,
    environment: str | None = None,
    component: str | None = None,
) -> dict:
    """``dora_drill_down`` inside ``figures.tuned()``."""
    if metric not in ENGINE_NAMES:
        raise ValueError(f"unknown metric {metric!r}; one of {', '.join(ENGINE_NAMES)}")
    _check(start, end)
    scope = f.scope_for(project=project, environment=environment, component=component)
    if f.cross_environment_rollbacks(scope):
        ids = engine.drill_down(
            *engine_records(project), start=start, end=end, environment=environment, component=component
        )[ENGINE_NAMES[metric]]
        by_sha = dict(
            Change.objects.filter(project_id=scope.project_id, sha__in=ids["changes"]).values_list("sha", "pk")
        )
        return {**ids, "changes": [by_sha[sha] for sha in ids["changes"]]}
    out = {"deployments": [], "changes": [], "incidents": []}
    if scope.empty:
        return out
    period = f.in_period(scope, start, end)
    if metric == "deployment_frequency":
        out["deployments"] = _ordered(period.values_list("pk", "finished_at"))
    elif metric == "rework_rate":
        out["deployments"] = _ordered(period.filter(kind__in=sorted(UNPLANNED_KINDS)).values_list("pk", "finished_at"))
    elif metric == "lead_time":
        rows = (
            f.deliveries(scope, start, end)
            .filter(lead_seconds__gte=0)
            .values_list("delivered_at", "deployment_id", "environment__slug", "change__sha", "change_id")
        )
        rows = sorted(rows, key=lambda row: ((row[0], str(row[1])), (row[2], row[3])))
        out["changes"] = [row[4] for row in rows]
        out["deployments"] = list(dict.fromkeys(row[1] for row in rows))
    elif metric == "change_failure_rate":
        out["deployments"] = [failure.id for failure in f.failures(scope, start, end)]
        out["incidents"] = _incidents_of(scope.project_id, out["deployments"])
    else:  # recovery_time
        out["deployments"] = [x.id for x in f.failures(scope, start, end) if x.span is not None and x.span >= 0]
        out["incidents"] = _incidents_of(scope.project_id, out["deployments"])
    return out


def dora_report(*, project, start: datetime, end: datetime, environment: str | None = None,
                component: str | None = None) -> dict:  # fmt: skip
    """The five DORA keys of ``[start, end)``: ``{"deployment_frequency", "lead_time", "change_failure_rate",
    "recovery_time", "rework_rate"}``, each ``{"value", "unit", "band", ...counts}`` as the engine's ``dora()``.
    ``environment``: a production environment's slug; ``component``: a component key."""
    with f.tuned():
        return _dora_report(project=project, start=start, end=end, environment=environment, component=component)


def dora_trend(*, project, start: datetime, end: datetime, environment: str | None = None,
               component: str | None = None) -> list[dict]:  # fmt: skip
    """Per ISO week (Monday 00:00 UTC) of ``[start, end)``, clipped to it: ``{"week": "2026-W05", "start", "end",
    <metric>: value, ...}``; a partial week is measured over its clipped length (frequency stays per week)."""
    with f.tuned():
        return _dora_trend(project=project, start=start, end=end, environment=environment, component=component)


def dora_drill_down(*, project, start: datetime, end: datetime, metric: str, environment: str | None = None,
                    component: str | None = None) -> dict:  # fmt: skip
    """``{"deployments": [Deployment ids], "changes": [Change ids], "incidents": [Incident ids]}`` behind one figure
    (``metric``: an API name), in the engine's order. Frequency and rework rate: the deployments counted; lead time:
    the changes with a span (a change delivered to two environments is listed twice) and their deployments; change
    failure rate: the failing deployments and the incidents they caused; recovery time: the recovered ones."""
    with f.tuned():
        return _dora_drill_down(project=project, start=start, end=end, metric=metric, environment=environment,
                                component=component)  # fmt: skip
