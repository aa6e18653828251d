"""GitLab's Deployment Hook (``X-Gitlab-Event: Deployment Hook``) -> ``DeploymentReport``.

Only documented fields are read: ``object_kind`` (must be ``deployment``), ``status``,
``status_changed_at`` (``"2021-04-28 21:50:00 +0200"``, not ISO), ``deployment_id``, ``environment``,
``environment_tier``, ``short_sha``, ``commit_url``, ``project.path_with_namespace``, ``ref``,
``user.username``/``user.name`` and ``deployable_url``.

Status: ``created``/``blocked`` -> queued, ``running`` -> in_progress, ``success`` -> success,
``failed`` -> failure, ``canceled``/``skipped`` -> cancelled (nothing was deployed).
The hook carries one timestamp, ``status_changed_at``: it is ``started_at`` for queued/running reports and
``finished_at`` (with ``started_at`` unknown) for final ones; the store keeps the start from the earlier
report with the same ``external_id`` (``gitlab:<deployment_id>``).
The hook has no full SHA field: ``commit`` is the last path segment of ``commit_url`` when that is 40 hex
(and agrees with ``short_sha``), else ``""``. ``version`` is the short SHA; ``kind`` is always ``planned``.
``environment_tier`` is GitLab's own tier when it is one of ours, else inferred from the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from .environments import infer_tier, slugify_environment
from .report import TIERS, DeploymentReport, ReportError, check_sha, is_full_sha, parse_timestamp

STATUS_MAP = {
    "created": "queued",
    "blocked": "queued",
    "running": "in_progress",
    "success": "success",
    "failed": "failure",
    "canceled": "cancelled",
    "skipped": "cancelled",
}
HEADER_EVENT = "Deployment Hook"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def commit_from_url(commit_url: object) -> str:
    """The full SHA that ends ``commit_url`` (``.../-/commit/<sha>``), or ``""`` if it doesn't end in 40 hex."""
    last = urlsplit(_text(commit_url)).path.rstrip("/").rsplit("/", 1)[-1].lower()
    return last if is_full_sha(last) else ""


def from_deployment_hook(payload: dict, *, now: datetime) -> DeploymentReport:
    """Map a GitLab Deployment Hook payload; raises ``ReportError`` naming the offending field."""
    if not isinstance(payload, Mapping):
        raise ReportError("payload", "must be a JSON object")
    if payload.get("object_kind") != "deployment":
        raise ReportError("object_kind", f"expected 'deployment', got {payload.get('object_kind')!r}")
    raw_status = payload.get("status")
    if raw_status not in STATUS_MAP:
        raise ReportError("status", f"unknown status {raw_status!r}")
    status = STATUS_MAP[raw_status]
    deployment_id = payload.get("deployment_id")
    if isinstance(deployment_id, bool) or not isinstance(deployment_id, int | str) or not str(deployment_id):
        raise ReportError("deployment_id", "is required")
    environment = slugify_environment(payload["environment"]) if isinstance(payload.get("environment"), str) else ""
    if not environment:
        raise ReportError("environment", "is required")
    changed_at = parse_timestamp(payload.get("status_changed_at"), "status_changed_at", now=now)
    short_sha = check_sha(payload.get("short_sha"), "short_sha")
    commit = commit_from_url(payload.get("commit_url"))
    if commit and not commit.startswith(short_sha):
        raise ReportError("commit_url", f"commit {commit} does not match short_sha {short_sha}")
    tier = payload.get("environment_tier")
    user = payload.get("user") if isinstance(payload.get("user"), Mapping) else {}
    final = status in ("success", "failure", "cancelled")
    return DeploymentReport(
        environment=environment,
        status=status,
        version=short_sha,
        commit=commit,
        short_sha=short_sha,
        ref=_text(payload.get("ref")),
        started_at=None if final else changed_at,
        finished_at=changed_at if final else None,
        build_url=_text(payload.get("deployable_url")),
        external_id=f"gitlab:{deployment_id}",
        kind="planned",
        components=(),
        source="gitlab",
        environment_tier=tier if tier in TIERS else infer_tier(environment),
        actor=_text(user.get("username")) or _text(user.get("name")),
    )


def project_path(payload: dict) -> str:
    """``project.path_with_namespace`` (``group/sub/project``), or ``""``: lets the caller pick the project."""
    project = payload.get("project") if isinstance(payload, Mapping) else None
    return _text(project.get("path_with_namespace")) if isinstance(project, Mapping) else ""
