"""A project's rows as the pure engine's records (``dora.records``): what the SQL is compared with in the tests,
and what the queries fall back to in the one case their table can't express (a rollback to another environment).

How the nullable columns map to the engine's required fields (the SQL does the same):

- a deployment "succeeded" when its status is success and it has a ``finished_at`` (the report service always sets
  one); a success without it is passed with status ``"unfinished"``;
- a deployment's start is ``started_at``, else ``finished_at``, else ``created_at`` (a rollback's start is where
  recovery looks for the next successful deployment);
- a change's time is ``committed_at``, else ``authored_at``; a change with neither is left out, so the engine
  counts it in ``unknown_changes`` (a sha without a Change record, which the database can't otherwise have);
- incidents are in id order (the order the engine lists an incident's ids in), ``detected_at`` defaults to
  ``started_at``.
"""

from __future__ import annotations

from collections import defaultdict

from ..dora import records as r
from ..models import Change, Deployment, Incident

SUCCESS = Deployment.Status.SUCCESS


def engine_records(project) -> tuple[list[r.Deployment], list[r.Change], list[r.Incident]]:
    """Every deployment, change and incident of the project, as engine records (see the module docstring)."""
    components: dict[int, list[str]] = defaultdict(list)
    for deployment_id, key in Deployment.components.through.objects.filter(deployment__project=project).values_list(
        "deployment_id", "component__key"
    ):
        components[deployment_id].append(key)
    shas: dict[int, list[str]] = defaultdict(list)
    for deployment_id, sha in Deployment.changes.through.objects.filter(deployment__project=project).values_list(
        "deployment_id", "change__sha"
    ):
        shas[deployment_id].append(sha)
    deployments = []
    for d in Deployment.objects.filter(project=project).select_related("environment").order_by("pk"):
        started = d.started_at or d.finished_at or d.created_at
        status = "unfinished" if d.status == SUCCESS and d.finished_at is None else d.status
        deployments.append(
            r.Deployment(
                id=d.pk,
                environment=d.environment.slug,
                tier=d.environment.tier,
                status=status,
                kind=d.kind,
                started_at=started,
                finished_at=d.finished_at or started,
                rollback_of=d.rollback_of_id,
                components=tuple(sorted(components[d.pk])),
                change_shas=tuple(sorted(shas[d.pk])),
            )
        )
    changes = [
        r.Change(
            sha=c.sha,
            committed_at=c.committed_at or c.authored_at,
            authored_at=c.authored_at or c.committed_at,
            pr_merged_at=c.pr_merged_at,
        )
        for c in Change.objects.filter(project=project).order_by("pk")
        if c.committed_at or c.authored_at
    ]
    incidents = [
        r.Incident(
            id=i.pk,
            environment=i.environment.slug if i.environment else None,
            started_at=i.started_at,
            detected_at=i.detected_at or i.started_at,
            resolved_at=i.resolved_at,
            caused_by=i.caused_by_id,
            fixed_by=i.fixed_by_id,
        )
        for i in Incident.objects.filter(project=project).select_related("environment").order_by("pk")
    ]
    return deployments, changes, incidents
