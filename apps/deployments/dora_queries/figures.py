"""The queries behind each figure, per period or per ISO week ("bucket"): counts as SQL aggregates on any database;
the lead-time median/p90 as ``percentile_cont(0.5)``/``percentile_disc(0.9)`` on PostgreSQL, and in Python with the
engine's own functions elsewhere (SQLite has no percentiles). Recovery spans are computed per failing deployment
(a few per period) and their median in Python, as the engine does.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek

from apps.architecture.models import Component

from ..dora.metrics import _median, _p90
from ..dora.records import UNPLANNED_KINDS
from ..models import ChangeDelivery, Deployment, Environment, Incident

SUCCESS = Deployment.Status.SUCCESS
PRODUCTION = Environment.Tier.PRODUCTION


class _Percentile(Aggregate):
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class PercentileCont(_Percentile):
    """PostgreSQL's interpolated percentile (the median: 0.5)."""

    function = "percentile_cont"


class PercentileDisc(_Percentile):
    """PostgreSQL's nearest-rank percentile."""

    function = "percentile_disc"


@dataclass(frozen=True)
class Scope:
    """What a figure counts: the project's production environments (the one named, if any) and a component."""

    project_id: int
    environments: dict[int, str]  # id -> slug
    component_id: int | None = None
    nothing: bool = False  # a component was named that the project doesn't have
    env_ids: list[int] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "env_ids", sorted(self.environments))

    @property
    def empty(self) -> bool:
        return self.nothing or not self.environments


def scope_for(*, project, environment: str | None, component: str | None) -> Scope:
    project_id = getattr(project, "pk", project)
    environments = Environment.objects.filter(project_id=project_id, tier=PRODUCTION)
    if environment is not None:
        environments = environments.filter(slug=environment)
    environments = dict(environments.values_list("pk", "slug"))
    if component is None:
        return Scope(project_id, environments)
    component_id = Component.objects.filter(project_id=project_id, key=component).values_list("pk", flat=True).first()
    return Scope(project_id, environments, component_id, nothing=component_id is None)


def monday(moment: datetime) -> date:
    """The ISO week (its Monday, UTC) a moment falls in: the trend's bucket key."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def _key(moment: datetime, weekly: bool):
    return monday(moment) if weekly else None


def in_scope(scope: Scope) -> QuerySet:
    """Successful deployments to the production environments in scope, at any time."""
    deployments = Deployment.objects.filter(
        environment_id__in=scope.env_ids, status=SUCCESS, finished_at__isnull=False
    ).order_by()
    if scope.component_id is not None:
        deployments = deployments.filter(components=scope.component_id)
    return deployments


def in_period(scope: Scope, start: datetime, end: datetime) -> QuerySet:
    return in_scope(scope).filter(finished_at__gte=start, finished_at__lt=end)


def failing(scope: Scope) -> Q:
    """Caused an incident, or was rolled back (by any deployment, whatever its status). Semi-joins on the two small
    id sets (incident causes; rollback targets, read from the ``rollback_of`` index's non-null entries), cheaper
    than two probes per deployment of the period."""
    caused = Incident.objects.filter(project_id=scope.project_id, caused_by__isnull=False).values("caused_by_id")
    rolled_back = Deployment.objects.filter(project_id=scope.project_id, rollback_of__isnull=False).values(
        "rollback_of_id"
    )
    return Q(pk__in=caused) | Q(pk__in=rolled_back)


@contextmanager
def tuned():
    """On PostgreSQL, run the DORA queries with room to sort a period's lead times in memory (64 MB instead of the
    default 4 MB: a 90-day median over 250 000 first deliveries spills to disk otherwise) and without JIT
    compilation (it costs more than these sub-100 ms queries gain). ``SET LOCAL``: until the transaction ends."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        yield


def _grouped(queryset: QuerySet, moment: str, weekly: bool, aggregates: dict) -> dict:
    if not weekly:
        return {None: queryset.aggregate(**aggregates)}
    rows = queryset.annotate(week=TruncWeek(moment, tzinfo=UTC)).values("week").annotate(**aggregates)
    return {monday(row.pop("week")): row for row in rows}


def deployment_counts(scope: Scope, start, end, weekly: bool) -> dict:
    """Per bucket: deployments, deploy days (UTC dates), unplanned (hotfix/rollback), failing."""
    if scope.empty:
        return {}
    return _grouped(
        in_period(scope, start, end),
        "finished_at",
        weekly,
        {
            "deployments": Count("pk"),
            "deploy_days": Count(TruncDate("finished_at", tzinfo=UTC), distinct=True),
            "unplanned": Count("pk", filter=Q(kind__in=sorted(UNPLANNED_KINDS))),
            "failing": Count("pk", filter=failing(scope)),
        },
    )


def incidents_without_cause(scope: Scope, start, end) -> QuerySet:
    """Started in the period with no known cause, in a production environment in scope that has ever had a
    deployment in scope (of any status)."""
    if scope.empty:
        return Incident.objects.none()
    deployed = Deployment.objects.filter(environment_id=OuterRef("environment_id"))
    if scope.component_id is not None:
        deployed = deployed.filter(components=scope.component_id)
    return (
        Incident.objects.filter(
            project_id=scope.project_id,
            caused_by__isnull=True,
            started_at__gte=start,
            started_at__lt=end,
            environment_id__in=scope.env_ids,
        )
        .filter(Exists(deployed))
        .order_by()
    )


def count_incidents_without_cause(scope: Scope, start, end, weekly: bool) -> dict:
    return {
        key: row["n"]
        for key, row in _grouped(
            incidents_without_cause(scope, start, end), "started_at", weekly, {"n": Count("pk")}
        ).items()
    }


def deliveries(scope: Scope, start, end) -> QuerySet:
    """The first deliveries (``ChangeDelivery``) in the period, in scope."""
    if scope.empty:
        return ChangeDelivery.objects.none()
    return ChangeDelivery.objects.filter(
        environment_id__in=scope.env_ids, component_id=scope.component_id, delivered_at__gte=start, delivered_at__lt=end
    )


def lead_times(scope: Scope, start, end, weekly: bool) -> dict:
    """Per bucket: changes (span >= 0), negative_spans, unknown_changes, median and p90 of the spans."""
    if scope.empty:
        return {}
    rows = deliveries(scope, start, end)
    spans = Q(lead_seconds__gte=0)
    aggregates = {
        "changes": Count("delivered_at", filter=spans),
        "negative_spans": Count("delivered_at", filter=Q(lead_seconds__lt=0)),
        "unknown_changes": Count("delivered_at", filter=Q(lead_seconds__isnull=True)),
    }
    if connection.vendor == "postgresql":
        aggregates["median"] = PercentileCont("lead_seconds", 0.5, filter=spans)
        aggregates["p90"] = PercentileDisc("lead_seconds", 0.9, filter=spans)
        return _grouped(rows, "delivered_at", weekly, aggregates)
    out = _grouped(rows, "delivered_at", weekly, aggregates)
    values: dict = defaultdict(list)
    for delivered_at, lead in rows.filter(spans).values_list("delivered_at", "lead_seconds"):
        values[_key(delivered_at, weekly)].append(lead)
    for key, row in out.items():
        row["median"], row["p90"] = _median(values[key]), _p90(values[key])
    return out


@dataclass(frozen=True)
class Failure:
    """A failing deployment of the period and when service was restored (None: not yet)."""

    id: int
    finished_at: datetime
    restored_at: datetime | None

    @property
    def span(self) -> float | None:
        return None if self.restored_at is None else (self.restored_at - self.finished_at).total_seconds()


def failures(scope: Scope, start, end) -> list[Failure]:
    """The period's failing deployments in (finished_at, str(id)) order, each with the earliest of: its incidents'
    resolution, their successful fixing deployments' finish, and for its rollbacks the first successful deployment
    to its environment finished at or after the earliest rollback started."""
    if scope.empty:
        return []
    project_id = scope.project_id
    incidents = Incident.objects.filter(project_id=project_id, caused_by=OuterRef("pk")).order_by().values("caused_by")
    rollbacks = (
        Deployment.objects.filter(project_id=project_id, rollback_of=OuterRef("pk")).order_by().values("rollback_of")
    )
    restored = Deployment.objects.filter(
        environment_id=OuterRef("environment_id"), status=SUCCESS, finished_at__gte=OuterRef("rollback_start")
    ).order_by("finished_at")
    rows = (
        in_period(scope, start, end)
        .filter(failing(scope))
        .annotate(
            resolved=Subquery(incidents.annotate(at=Min("resolved_at")).values("at")),
            fixed=Subquery(
                incidents.filter(fixed_by__project_id=project_id, fixed_by__status=SUCCESS)
                .annotate(at=Min("fixed_by__finished_at"))
                .values("at")
            ),
            rollback_start=Subquery(
                rollbacks.annotate(at=Min(Coalesce("started_at", "finished_at", "created_at"))).values("at")
            ),
        )
        .annotate(restored=Subquery(restored.values("finished_at")[:1]))
        .values_list("pk", "finished_at", "resolved", "fixed", "restored")
    )
    out = []
    for pk, finished_at, *candidates in rows:
        candidates = [moment for moment in candidates if moment is not None]
        out.append(Failure(pk, finished_at, min(candidates) if candidates else None))
    return sorted(out, key=lambda f: (f.finished_at, str(f.id)))


def recovery_times(scope: Scope, start, end, weekly: bool) -> dict:
    """Per bucket: recovered, unrecovered, negative_spans and the median span."""
    spans: dict = defaultdict(list)
    out: dict = defaultdict(lambda: {"recovered": 0, "unrecovered": 0, "negative_spans": 0})
    for failure in failures(scope, start, end):
        key = _key(failure.finished_at, weekly)
        row = out[key]
        if failure.span is None:
            row["unrecovered"] += 1
        elif failure.span < 0:
            row["negative_spans"] += 1
        else:
            row["recovered"] += 1
            spans[key].append(failure.span)
    for key, row in out.items():
        row["median"] = _median(spans[key])
    return dict(out)


def cross_environment_rollbacks(scope: Scope) -> bool:
    """Does a successful deployment to one production environment in scope roll back one to another?

    The table counts a deployment as rolled back only by a rollback to its own environment; the engine, looking at
    all production environments at once, also by one to another. Only then do the two differ.
    """
    if len(scope.env_ids) < 2:
        return False
    return (
        Deployment.objects.filter(
            rollback_of__isnull=False,
            environment_id__in=scope.env_ids,
            status=SUCCESS,
            finished_at__isnull=False,
            rollback_of__environment_id__in=scope.env_ids,
        )
        .exclude(rollback_of__environment_id=F("environment_id"))
        .exists()
    )
