"""The five DORA keys computed in Python: the reference the production SQL aggregates are tested against.

Owns ``dora()`` (the figures), ``drill_down()`` (the ids behind each figure), ``weekly_trend()`` (per ISO week)
and ``suggest_cause()`` (which deployment probably caused an incident).

Semantics (the SQL must match them):

- Period: half-open ``[start, end)``; a deployment belongs to the period of its ``finished_at``.
- Scope: production tier only (``tier == "production"``); every production environment unless ``environment`` is
  given; with ``component``, only deployments listing that component.
- "Deployment" below = a *successful* production deployment in scope. Failed deployments never changed production,
  so no key counts them (not even as failures: change failure rate is about changes that reached production).
- No deployment in the period -> every value is None and every band None (the engine can't tell "did not deploy"
  from "not connected"); counts are still reported (as 0).
- Lead time for changes: per environment, walk the deployments in ``(finished_at, id)`` order; a change is
  delivered by the first deployment that lists it in ``change_shas``, is not a rollback and was not itself rolled
  back. So a deployment's changes are only the ones it lists (the first deployment of an environment does not
  swallow history), a change counts once per environment, and when B rolls back A, A's changes are not delivered
  by A (nor by B, which restores older code): they count at the next successful deployment that lists them again,
  with the rollback delay inside their lead time. A change never redeployed has no lead time. The change's span is
  ``committed_at -> finished_at``; a negative span (clock skew) is dropped and counted in ``negative_spans``; a sha
  with no ``Change`` record is counted in ``unknown_changes``. Median = percentile_cont(0.5); p90 =
  percentile_disc(0.9) (nearest rank), the SQL functions to compare with.
- Change failure rate: deployments in the period that caused an incident (``Incident.caused_by``) or were rolled
  back (another deployment has ``rollback_of`` = it) / deployments in the period. Incidents without a cause change
  nothing; they are counted in ``incidents_without_cause`` (started in the period, environment in scope).
- Failed deployment recovery time: per failing deployment of the period, ``finished_at`` -> the earliest of: each
  caused incident's ``resolved_at``; the ``finished_at`` of each caused incident's ``fixed_by`` deployment (if it
  succeeded); for each rollback of it, the first successful deployment to the same environment that finished at or
  after the rollback started (the rollback itself when it succeeded). None of those -> ``unrecovered``; a negative
  span -> ``negative_spans``. Value = median.
- Deployment rework rate: ``hotfix`` + ``rollback`` deployments / deployments in the period.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable
from datetime import datetime, timedelta

from .bands import BANDS, band
from .records import UNPLANNED_KINDS, Change, Deployment, Incident

METRICS = (
    "deployment_frequency",
    "lead_time_for_changes",
    "change_failure_rate",
    "failed_deployment_recovery_time",
    "deployment_rework_rate",
)


def _order(d: Deployment) -> tuple:
    return (d.finished_at, str(d.id))


def _in_scope(d: Deployment, environment: str | None, component: str | None) -> bool:
    return (
        d.is_production
        and (environment is None or d.environment == environment)
        and (component is None or component in d.components)
    )


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _p90(values: list[float]) -> float | None:
    # nearest rank = percentile_disc(0.9): the smallest value with at least 90 % of the values at or below it
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1])


def first_deliveries(deployments: Iterable[Deployment]) -> dict[tuple[str, str], Deployment]:
    """``(environment, sha) -> the deployment that first delivered it`` (see the module docstring)."""
    deployments = sorted(deployments, key=_order)
    rolled_back = {d.rollback_of for d in deployments if d.rollback_of is not None}
    delivered: dict[tuple[str, str], Deployment] = {}
    for d in deployments:
        if not d.succeeded or d.kind == "rollback" or d.id in rolled_back:
            continue
        for sha in d.change_shas:
            delivered.setdefault((d.environment, sha), d)
    return delivered


def _compute(deployments, changes, incidents, start, end, environment, component) -> dict:
    """Every figure plus the ids behind it: ``dora()`` and ``drill_down()`` are two views of this."""
    if not start < end:
        raise ValueError("the period must satisfy start < end")
    days = (end - start).total_seconds() / 86_400
    everything = list(deployments)
    by_id = {d.id: d for d in everything}
    scoped = sorted((d for d in everything if _in_scope(d, environment, component) and d.succeeded), key=_order)
    period = [d for d in scoped if start <= d.finished_at < end]
    empty = not period
    ids = [d.id for d in period]
    out: dict[str, dict] = {}

    # deployment frequency: value in deployments per week of the period
    deploy_days = sorted({d.finished_at.date().isoformat() for d in period})
    out["deployment_frequency"] = {
        "value": None if empty else len(period) / days * 7,
        "deployments": len(period),
        "per_day": None if empty else len(period) / days,
        "deploy_days": len(deploy_days),
        "deploy_days_per_week": None if empty else len(deploy_days) / days * 7,
        "_ids": {"deployments": ids, "changes": [], "incidents": []},
    }

    # lead time for changes
    change_by_sha = {c.sha: c for c in changes}
    spans: list[float] = []
    negative = unknown = 0
    lead_changes: list[str] = []
    lead_deploys: list[Hashable] = []
    for (_env, sha), d in sorted(first_deliveries(scoped).items(), key=lambda kv: (_order(kv[1]), kv[0])):
        if not start <= d.finished_at < end:
            continue
        change = change_by_sha.get(sha)
        if change is None:
            unknown += 1
            continue
        span = (d.finished_at - change.committed_at).total_seconds()
        if span < 0:
            negative += 1
            continue
        spans.append(span)
        lead_changes.append(sha)
        if d.id not in lead_deploys:
            lead_deploys.append(d.id)
    out["lead_time_for_changes"] = {
        "value": None if empty else _median(spans),
        "p90": None if empty else _p90(spans),
        "changes": len(spans),
        "negative_spans": negative,
        "unknown_changes": unknown,
        "_ids": {"deployments": lead_deploys, "changes": lead_changes, "incidents": []},
    }

    # change failure rate
    in_scope_envs = {d.environment for d in everything if _in_scope(d, environment, component)}
    caused: dict[Hashable, list[Incident]] = {}
    without_cause: list[Hashable] = []
    for i in incidents:
        if i.caused_by is not None:
            caused.setdefault(i.caused_by, []).append(i)
        elif start <= i.started_at < end and (environment is None or i.environment == environment) and (
            i.environment in in_scope_envs
        ):
            without_cause.append(i.id)
    rollbacks: dict[Hashable, list[Deployment]] = {}
    for d in everything:
        if d.rollback_of is not None:
            rollbacks.setdefault(d.rollback_of, []).append(d)
    failing = [d for d in period if d.id in caused or d.id in rollbacks]
    out["change_failure_rate"] = {
        "value": None if empty else len(failing) / len(period),
        "failed_deployments": len(failing),
        "deployments": len(period),
        "incidents_without_cause": len(without_cause),
        "_ids": {
            "deployments": [d.id for d in failing],
            "changes": [],
            "incidents": [i.id for d in failing for i in caused.get(d.id, [])],
        },
    }

    # failed deployment recovery time
    successes = sorted((d for d in everything if d.succeeded), key=_order)
    recoveries: list[float] = []
    unrecovered = negative_rec = 0
    recovered_ids: list[Hashable] = []
    for d in failing:
        candidates: list[datetime] = []
        for i in caused.get(d.id, []):
            if i.resolved_at is not None:
                candidates.append(i.resolved_at)
            fix = by_id.get(i.fixed_by)
            if fix is not None and fix.succeeded:
                candidates.append(fix.finished_at)
        for rb in rollbacks.get(d.id, []):
            restored = next(
                (s for s in successes if s.environment == d.environment and s.finished_at >= rb.started_at), None
            )
            if restored is not None:
                candidates.append(restored.finished_at)
        if not candidates:
            unrecovered += 1
            continue
        span = (min(candidates) - d.finished_at).total_seconds()
        if span < 0:
            negative_rec += 1
            continue
        recoveries.append(span)
        recovered_ids.append(d.id)
    out["failed_deployment_recovery_time"] = {
        "value": None if empty else _median(recoveries),
        "recovered": len(recoveries),
        "unrecovered": unrecovered,
        "negative_spans": negative_rec,
        "_ids": {
            "deployments": recovered_ids,
            "changes": [],
            "incidents": [i.id for d in failing if d.id in recovered_ids for i in caused.get(d.id, [])],
        },
    }

    # deployment rework rate
    unplanned = [d for d in period if d.kind in UNPLANNED_KINDS]
    out["deployment_rework_rate"] = {
        "value": None if empty else len(unplanned) / len(period),
        "unplanned_deployments": len(unplanned),
        "deployments": len(period),
        "_ids": {"deployments": [d.id for d in unplanned], "changes": [], "incidents": []},
    }

    for name, figure in out.items():
        figure["unit"] = BANDS[name]["unit"]
        figure["band"] = band(name, figure["value"])
    return out


def dora(
    deployments: Iterable[Deployment],
    changes: Iterable[Change],
    incidents: Iterable[Incident],
    *,
    start: datetime,
    end: datetime,
    environment: str | None = None,
    component: str | None = None,
) -> dict:
    """The five keys over ``[start, end)``: ``{metric: {"value", "unit", "band", ...counts}}``."""
    out = _compute(deployments, changes, incidents, start, end, environment, component)
    return {name: {k: v for k, v in figure.items() if k != "_ids"} for name, figure in out.items()}


def drill_down(
    deployments: Iterable[Deployment],
    changes: Iterable[Change],
    incidents: Iterable[Incident],
    *,
    start: datetime,
    end: datetime,
    environment: str | None = None,
    component: str | None = None,
) -> dict:
    """Per metric, ``{"deployments": [ids], "changes": [shas], "incidents": [ids]}`` behind the figure.

    Frequency/rework: the deployments counted. Lead time: the changes with a span and their delivering
    deployments. Change failure rate: the failing deployments and the incidents they caused. Recovery time: the
    recovered failing deployments and their incidents.
    """
    out = _compute(deployments, changes, incidents, start, end, environment, component)
    return {name: figure["_ids"] for name, figure in out.items()}


def weekly_trend(
    deployments: Iterable[Deployment],
    changes: Iterable[Change],
    incidents: Iterable[Incident],
    *,
    start: datetime,
    end: datetime,
    environment: str | None = None,
    component: str | None = None,
) -> list[dict]:
    """``dora()`` per ISO week (Monday 00:00 in ``start``'s timezone), clipped to ``[start, end)``.

    Each item: ``{"week": "2026-W05", "start", "end", "metrics": dora(...)}``; a partial first/last week is
    measured over its clipped length (so frequency stays "per week"). Weeks are stepped in fixed 7-day spans,
    so ``start`` should carry a fixed-offset timezone (UTC); a DST zone would shift the boundaries by an hour.
    """
    deployments, changes, incidents = list(deployments), list(changes), list(incidents)
    return [
        {"week": label, "start": lo, "end": hi, "metrics": dora(
            deployments, changes, incidents, start=lo, end=hi, environment=environment, component=component)}
        for _monday, lo, hi, label in iso_weeks(start, end)
    ]  # fmt: skip


def iso_weeks(start: datetime, end: datetime) -> list[tuple]:
    """``(Monday, lo, hi, "2026-W05")`` per ISO week of ``[start, end)`` (Monday 00:00 in ``start``'s timezone),
    each clipped to the period; stepped in fixed 7-day spans."""
    monday = (start - timedelta(days=start.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = []
    while monday < end:
        lo, hi = max(start, monday), min(end, monday + timedelta(days=7))
        if lo < hi:
            year, week, _ = monday.isocalendar()
            weeks.append((monday, lo, hi, f"{year}-W{week:02d}"))
        monday += timedelta(days=7)
    return weeks


def suggest_cause(
    incident: Incident, deployments: Iterable[Deployment], *, window: timedelta = timedelta(hours=72)
) -> Deployment | None:
    """The latest successful deployment to the incident's environment finished before it started, within ``window``.

    "Before" is strict (a deployment finishing at the very instant the incident starts is not blamed, as DevLake
    requires ``finished_date < created_date``); the window bound is inclusive. Ties (same ``finished_at``) go to
    the larger ``str(id)``, the same tie-break as every ordering in this module.
    """
    lower = incident.started_at - window
    candidates = [
        d
        for d in deployments
        if d.succeeded and d.environment == incident.environment and lower <= d.finished_at < incident.started_at
    ]
    return max(candidates, key=_order, default=None)
