"""GitHub webhooks: ``deployment`` and ``deployment_status`` payloads -> ``DeploymentReport``.

Mapping of ``deployment_status.state``: ``pending``/``queued`` -> queued, ``in_progress`` -> in_progress,
``success`` -> success, ``failure``/``error`` -> failure. ``inactive`` raises ``IgnoredEvent``: GitHub
sets it on an *older* deployment once a newer one to the same environment succeeds, so it says nothing
about how that deployment went (its earlier final status stands); the caller acknowledges it (2xx).

``external_id`` is ``github:<deployment.id>`` so every status of one deployment updates the same record.
``started_at`` is ``deployment.created_at``; ``finished_at`` is ``deployment_status.created_at`` for final
states only. ``version`` is ``deployment.payload.version`` when given, else the short SHA; ``kind`` and
``components`` come from ``deployment.payload`` when given (``planned`` / none otherwise).
``environment_tier`` is ``production`` when GitHub says ``production_environment: true``, else inferred
from the name (GitHub reports ``false`` for ``github-pages``, which serves a live site).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from .environments import infer_tier, slugify_environment
from .report import (
    DEPLOYMENT_KINDS,
    DeploymentReport,
    IgnoredEvent,
    ReportError,
    check_sha,
    check_span,
    is_full_sha,
    parse_timestamp,
)

STATE_MAP = {
    "pending": "queued",
    "queued": "queued",
    "in_progress": "in_progress",
    "success": "success",
    "failure": "failure",
    "error": "failure",
}
IGNORED_STATES = ("inactive",)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.strip() or None
    return None


def delivery_id(headers: Mapping[str, str]) -> str | None:
    """``X-GitHub-Delivery`` (a GUID, unique per delivery: use it to drop redeliveries), case-insensitive."""
    return _header(headers, "X-GitHub-Delivery")


def event_name(headers: Mapping[str, str]) -> str | None:
    """``X-GitHub-Event`` (``deployment``, ``deployment_status``, ``ping`` ...), case-insensitive."""
    return _header(headers, "X-GitHub-Event")


def _object(payload: Mapping, key: str, field: str) -> Mapping:
    value = payload.get(key)
    if not isinstance(value, Mapping):
        raise ReportError(field, "must be an object")
    return value


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _login(obj: Mapping) -> str:
    creator = obj.get("creator")
    return _text(creator.get("login")) if isinstance(creator, Mapping) else ""


def _extras(deployment: Mapping, short_sha: str) -> tuple[str, str, tuple[str, ...]]:
    """(version, kind, components) from the free-form ``deployment.payload`` (a dict, or a JSON string: ignored)."""
    extra = deployment.get("payload")
    extra = extra if isinstance(extra, Mapping) else {}
    version = _text(extra.get("version")) or short_sha
    kind = extra.get("kind", "planned")
    if kind not in DEPLOYMENT_KINDS:
        raise ReportError("deployment.payload.kind", f"{kind!r} is not one of {', '.join(DEPLOYMENT_KINDS)}")
    components = extra.get("components", ())
    if not isinstance(components, list | tuple) or not all(isinstance(c, str) and c for c in components):
        raise ReportError("deployment.payload.components", "must be a list of non-empty strings")
    return version, kind, tuple(components)


def _report(deployment: Mapping, environment: object, status: str, finished_raw: object, build_url: str,
            actor: str, now: datetime | None) -> DeploymentReport:
    name = slugify_environment(environment) if isinstance(environment, str) else ""
    if not name:
        raise ReportError("environment", "is required (deployment_status.environment or deployment.environment)")
    sha = check_sha(deployment.get("sha"), "deployment.sha")
    if deployment.get("id") in (None, ""):
        raise ReportError("deployment.id", "is required")
    started_at = parse_timestamp(deployment.get("created_at"), "deployment.created_at", now=now)
    finished_at = None
    if finished_raw is not None:
        finished_at = parse_timestamp(finished_raw, "deployment_status.created_at", now=now)
        check_span(started_at, finished_at)
    version, kind, components = _extras(deployment, sha[:7])
    tier = "production" if deployment.get("production_environment") is True else infer_tier(name)
    return DeploymentReport(
        environment=name,
        status=status,
        version=version,
        commit=sha if is_full_sha(sha) else "",
        short_sha=sha[:7],
        ref=_text(deployment.get("ref")),
        started_at=started_at,
        finished_at=finished_at,
        build_url=build_url,
        external_id=f"github:{deployment['id']}",
        kind=kind,
        components=components,
        source="github",
        environment_tier=tier,
        actor=actor,
    )


def from_deployment_status(payload: dict, *, now: datetime) -> DeploymentReport:
    """Map a ``deployment_status`` webhook; raises ``ReportError`` (bad input) or ``IgnoredEvent`` (inactive)."""
    if not isinstance(payload, Mapping):
        raise ReportError("payload", "must be a JSON object")
    status_obj = _object(payload, "deployment_status", "deployment_status")
    deployment = _object(payload, "deployment", "deployment")
    state = status_obj.get("state")
    if state in IGNORED_STATES:
        raise IgnoredEvent(f"deployment_status.state {state!r} records nothing")
    if state not in STATE_MAP:
        raise ReportError("deployment_status.state", f"unknown state {state!r}")
    status = STATE_MAP[state]
    final = status in ("success", "failure", "cancelled")
    return _report(
        deployment,
        status_obj.get("environment") or deployment.get("environment"),
        status,
        status_obj.get("created_at") if final else None,
        _text(status_obj.get("log_url")) or _text(status_obj.get("target_url")),
        _login(status_obj) or _login(deployment),
        now,
    )


def from_deployment(payload: dict, *, now: datetime | None = None) -> DeploymentReport:
    """Map a ``deployment`` webhook (a deployment was requested): always ``queued``. ``now`` defaults to the clock."""
    now = now if now is not None else datetime.now(UTC)
    if not isinstance(payload, Mapping):
        raise ReportError("payload", "must be a JSON object")
    deployment = _object(payload, "deployment", "deployment")
    return _report(deployment, deployment.get("environment"), "queued", None, "", _login(deployment), now)
