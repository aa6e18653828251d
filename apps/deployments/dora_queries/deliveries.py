"""The ``ChangeDelivery`` table: the first delivery of each change to each environment, the start of lead time.

``record_deliveries`` keeps it current after each report, incrementally: a change's first delivery in an
environment depends only on the deployments there that list it and on the rollbacks of those, so after a report of
deployment X the changes X lists and, when X rolls back A in the same environment, the changes A lists are
recomputed from scratch (idempotent: running it twice changes nothing) — by two set-based statements on PostgreSQL,
in Python elsewhere. Rows are written for every tier: the DORA queries pick the production environments, so
correcting a tier needs no rebuild. ``rebuild_deliveries`` recomputes whole environments.

Semantics, those of ``dora.metrics.first_deliveries`` per environment: the first successful deployment, in
``(finished_at, str(id))`` order, that lists the change, is not of kind rollback and was not rolled back by a
successful deployment to the same environment. A component's rows consider only the deployments, and the
rollbacks, listing that component. "Successful" = status success with a ``finished_at``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from ..models import ChangeDelivery, Deployment, Environment

SUCCESS = Deployment.Status.SUCCESS
ROLLBACK = Deployment.Kind.ROLLBACK
CHANGES = Deployment.changes.through
COMPONENTS = Deployment.components.through
CHUNK = 2000


def lead_seconds(delivered_at, committed_at, authored_at) -> float | None:
    """committed_at (else authored_at) -> delivered_at, in seconds; None when the change carries neither."""
    begun = committed_at or authored_at
    return None if begun is None else (delivered_at - begun).total_seconds()


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for index in range(0, len(values), size):
        yield values[index : index + size]


def _first_deliveries(environment_id: int, change_ids: list[int], exclude: frozenset) -> tuple[dict, dict, dict]:
    """``{(component_id | None, change_id): deployment_id}``, ``{deployment_id: finished_at}`` and
    ``{change_id: (committed_at, authored_at)}`` for these changes."""
    listed: dict[int, list[int]] = defaultdict(list)
    finished: dict[int, object] = {}
    times: dict[int, tuple] = {}
    for chunk in _chunks(change_ids):
        rows = (
            CHANGES.objects.filter(
                change_id__in=chunk,
                deployment__environment_id=environment_id,
                deployment__status=SUCCESS,
                deployment__finished_at__isnull=False,
            )
            .exclude(deployment__kind=ROLLBACK)
            .values_list(
                "deployment_id", "change_id", "deployment__finished_at", "change__committed_at", "change__authored_at"
            )
        )
        for deployment_id, change_id, finished_at, committed_at, authored_at in rows:
            if deployment_id not in exclude:
                listed[deployment_id].append(change_id)
                finished[deployment_id] = finished_at
                times[change_id] = (committed_at, authored_at)
    if not listed:
        return {}, {}, {}
    rollbacks: dict[int, int] = {}  # successful rollback -> the deployment it rolled back (one of ``listed``)
    for chunk in _chunks(listed):
        rollbacks.update(
            Deployment.objects.filter(
                environment_id=environment_id, status=SUCCESS, finished_at__isnull=False, rollback_of_id__in=chunk
            )
            .exclude(pk__in=exclude)
            .values_list("pk", "rollback_of_id")
        )
    components: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(set(listed) | set(rollbacks)):
        for deployment_id, component_id in COMPONENTS.objects.filter(deployment_id__in=chunk).values_list(
            "deployment_id", "component_id"
        ):
            components[deployment_id].add(component_id)
    rolled_back = set(rollbacks.values())
    # (component, deployment): rolled back by a successful deployment listing that component
    rolled_back_for = {(component_id, target) for pk, target in rollbacks.items() for component_id in components[pk]}
    first: dict[tuple, int] = {}
    for deployment_id in sorted(listed, key=lambda pk: (finished[pk], str(pk))):
        for change_id in listed[deployment_id]:
            if deployment_id not in rolled_back:
                first.setdefault((None, change_id), deployment_id)
            for component_id in components[deployment_id]:
                if (component_id, deployment_id) not in rolled_back_for:
                    first.setdefault((component_id, change_id), deployment_id)
    return first, finished, times


def refresh_deliveries(*, environment_id: int, change_ids: Iterable[int], exclude: Iterable[int] = ()) -> None:
    """Recompute the rows of these changes in this environment (``exclude``: deployments to treat as gone): two
    set-based statements on PostgreSQL, the rule in Python elsewhere (the tests hold both to the engine)."""
    change_ids = sorted(set(change_ids))
    if not change_ids:
        return
    if connection.vendor == "postgresql":
        _refresh_sql(environment_id, change_ids, sorted(set(exclude)))
    else:
        refresh_in_python(environment_id, change_ids, frozenset(exclude))


def refresh_in_python(environment_id: int, change_ids: list[int], exclude: frozenset = frozenset()) -> None:
    """Diff the rows of these changes against the rule computed in Python; writes only what differs."""
    first, finished, times = _first_deliveries(environment_id, change_ids, exclude)
    existing = {}
    for chunk in _chunks(change_ids):
        existing.update(
            {
                (row.component_id, row.change_id): row
                for row in ChangeDelivery.objects.filter(environment_id=environment_id, change_id__in=chunk)
            }
        )
    stale = [row.pk for key, row in existing.items() if key not in first]
    create, update = [], []
    for (component_id, change_id), deployment_id in first.items():
        delivered_at = finished[deployment_id]
        lead = lead_seconds(delivered_at, *times[change_id])
        row = existing.get((component_id, change_id))
        if row is None:
            create.append(
                ChangeDelivery(
                    environment_id=environment_id,
                    component_id=component_id,
                    change_id=change_id,
                    deployment_id=deployment_id,
                    delivered_at=delivered_at,
                    lead_seconds=lead,
                )
            )
        elif (row.deployment_id, row.delivered_at, row.lead_seconds) != (deployment_id, delivered_at, lead):
            row.deployment_id, row.delivered_at, row.lead_seconds = deployment_id, delivered_at, lead
            update.append(row)
    for chunk in _chunks(stale):
        ChangeDelivery.objects.filter(pk__in=chunk).delete()
    if update:
        ChangeDelivery.objects.bulk_update(update, ["deployment_id", "delivered_at", "lead_seconds"], batch_size=CHUNK)
    ChangeDelivery.objects.bulk_create(create, batch_size=CHUNK)


def _affected(deployment_id: int) -> tuple[int | None, set[int]]:
    """The deployment's environment and the changes whose first delivery its report can move there."""
    row = (
        Deployment.objects.filter(pk=deployment_id)
        .values_list("environment_id", "rollback_of_id", "rollback_of__environment_id")
        .first()
    )
    if row is None:
        return None, set()
    environment_id, rollback_of_id, rolled_back_environment_id = row
    owners = [deployment_id]
    if rolled_back_environment_id == environment_id:  # a rollback to another environment moves nothing here
        owners.append(rollback_of_id)
    return environment_id, set(CHANGES.objects.filter(deployment_id__in=owners).values_list("change_id", flat=True))


def _lock(environment_id: int) -> None:
    # Reports to one environment recompute one after the other: each then sees the deployments committed before it.
    list(Environment.objects.select_for_update().filter(pk=environment_id).values_list("pk"))


@transaction.atomic(savepoint=False)
def record_deliveries(deployment) -> None:
    """Bring the table up to date after ``deployment`` was saved (created, updated, its changes, components, status
    or ``rollback_of`` set). Idempotent. If a report moves ``rollback_of`` from one deployment to another (or clears
    it), call it for the previous target too: that one's changes may be delivered by it again."""
    environment_id, change_ids = _affected(deployment.pk)
    if environment_id is None:
        return
    _lock(environment_id)
    refresh_deliveries(environment_id=environment_id, change_ids=change_ids)


@transaction.atomic(savepoint=False)
def forget_deployment(deployment) -> None:
    """Call just before deleting ``deployment``: its deliveries move to the next deployment listing the changes, and
    if it was a rollback, what it rolled back delivers its changes again."""
    environment_id, change_ids = _affected(deployment.pk)
    if environment_id is None:
        return
    _lock(environment_id)
    refresh_deliveries(environment_id=environment_id, change_ids=change_ids, exclude={deployment.pk})


def rebuild_deliveries(*, project=None, environment=None) -> int:
    """Recompute every row of one environment, or of all of a project's; returns the number of rows written."""
    environments = Environment.objects.all()
    if environment is not None:
        environments = environments.filter(pk=environment.pk)
    if project is not None:
        environments = environments.filter(project=project)
    written = 0
    for environment_id in environments.values_list("pk", flat=True):
        with transaction.atomic():
            _lock(environment_id)
            ChangeDelivery.objects.filter(environment_id=environment_id).delete()
            if connection.vendor == "postgresql":
                written += _rebuild_sql(environment_id)
            else:
                change_ids = set(
                    CHANGES.objects.filter(deployment__environment_id=environment_id).values_list(
                        "change_id", flat=True
                    )
                )
                for chunk in _chunks(sorted(change_ids), 20 * CHUNK):
                    refresh_in_python(environment_id, chunk)
                written += ChangeDelivery.objects.filter(environment_id=environment_id).count()
    return written


# The same rule set-based: DISTINCT ON keeps each key's first deployment in (finished_at, id as text) order.
# EXTRACT(EPOCH ...) is exact (numeric), so the float equals Python's timedelta.total_seconds().
_SELECT = """
SELECT DISTINCT ON ({scope} dc.change_id)
       d.environment_id, {component}, dc.change_id, d.id, d.finished_at,
       EXTRACT(EPOCH FROM d.finished_at - COALESCE(c.committed_at, c.authored_at))::double precision
FROM deployments_deployment d
JOIN deployments_deployment_changes dc ON dc.deployment_id = d.id
JOIN deployments_change c ON c.id = dc.change_id
{join}
WHERE d.environment_id = %(environment)s AND d.status = 'success' AND d.finished_at IS NOT NULL
  AND d.kind <> 'rollback' {where}
  AND NOT EXISTS (SELECT 1 FROM deployments_deployment b {rollback_join}
                  WHERE b.rollback_of_id = d.id AND b.environment_id = d.environment_id AND b.status = 'success'
                    AND b.finished_at IS NOT NULL {rollback_where})
ORDER BY {scope} dc.change_id, d.finished_at, d.id::text COLLATE "C"
"""


def _insert(where: str = "", rollback_where: str = "") -> str:
    """INSERT the first deliveries (any component, and per component) of the environment's changes matching
    ``where`` (on ``d``, ``dc``), rollbacks matching ``rollback_where`` (on ``b``)."""
    anything = _SELECT.format(scope="", component="NULL::bigint", join="", rollback_join="", where=where,
                              rollback_where=rollback_where)  # fmt: skip
    per_component = _SELECT.format(
        scope="dp.component_id,", component="dp.component_id",
        join="JOIN deployments_deployment_components dp ON dp.deployment_id = d.id",
        rollback_join="JOIN deployments_deployment_components bp ON bp.deployment_id = b.id", where=where,
        rollback_where=f"{rollback_where} AND bp.component_id = dp.component_id")  # fmt: skip
    return ("INSERT INTO deployments_changedelivery (environment_id, component_id, change_id, deployment_id, "
            f"delivered_at, lead_seconds) ({anything}) UNION ALL ({per_component})")  # fmt: skip


_REFRESH_DELETE = ("DELETE FROM deployments_changedelivery WHERE environment_id = %(environment)s "
                   "AND change_id = ANY(%(changes)s::bigint[])")  # fmt: skip
_REFRESH_INSERT = _insert("AND dc.change_id = ANY(%(changes)s::bigint[]) AND d.id <> ALL(%(exclude)s::bigint[])",
                          "AND b.id <> ALL(%(exclude)s::bigint[])")  # fmt: skip
_REBUILD_INSERT = _insert()


def _refresh_sql(environment_id: int, change_ids: list[int], exclude: list[int]) -> None:
    params = {"environment": environment_id, "changes": change_ids, "exclude": exclude}
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_DELETE, params)
        cursor.execute(_REFRESH_INSERT, params)


def _rebuild_sql(environment_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_REBUILD_INSERT, {"environment": environment_id})
        return cursor.rowcount
