"""Normalised deployment/incident values and the validation helpers shared by every receiver.

Owns ``DeploymentReport``, ``IncidentEvent``, ``ReportError`` (bad input, carries ``.field``),
``IgnoredEvent`` (well-formed input that records nothing) and ``parse_timestamp`` / ``check_sha`` /
``check_span``. Datetimes on the value types are always timezone-aware and in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEPLOYMENT_STATUSES = ("queued", "in_progress", "success", "failure", "cancelled")
FINAL_STATUSES = ("success", "failure", "cancelled")
DEPLOYMENT_KINDS = ("planned", "hotfix", "rollback")
DEPLOYMENT_SOURCES = ("api", "github", "gitlab")
TIERS = ("production", "staging", "testing", "development")
INCIDENT_ACTIONS = ("open", "resolve")
SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
INCIDENT_SOURCES = ("alertmanager", "api")

#: How far ahead of ``now`` a reported timestamp may lie (clock skew allowance).
MAX_FUTURE = timedelta(days=1)

_HEX = re.compile(r"[0-9a-f]{7,40}")
_GITLAB_FORMS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S.%f %z")


class ReportError(ValueError):
    """A payload that cannot be turned into a report; ``field`` names the offending field (dotted path)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class IgnoredEvent(Exception):  # not an error: acknowledge, record nothing
    """A well-formed payload that deliberately records nothing (e.g. GitHub's ``inactive`` status)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _aware_utc(value: datetime | None, field: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() != timedelta(0)):
        raise ReportError(field, "must be a timezone-aware UTC datetime")


@dataclass(frozen=True)
class DeploymentReport:
    """One deployment as a CI system reported it; a later report with the same ``external_id`` updates it."""

    environment: str
    status: str
    version: str
    commit: str
    short_sha: str
    ref: str
    started_at: datetime | None
    finished_at: datetime | None
    build_url: str
    external_id: str
    kind: str
    components: tuple[str, ...]
    source: str
    environment_tier: str | None
    actor: str

    def __post_init__(self) -> None:
        if not self.environment:
            raise ReportError("environment", "is required")
        _one_of(self.status, DEPLOYMENT_STATUSES, "status")
        _one_of(self.kind, DEPLOYMENT_KINDS, "kind")
        _one_of(self.source, DEPLOYMENT_SOURCES, "source")
        if self.environment_tier is not None:
            _one_of(self.environment_tier, TIERS, "environment_tier")
        if self.commit and (len(self.commit) != 40 or not _HEX.fullmatch(self.commit)):
            raise ReportError("commit", "must be a full 40-hex SHA or empty")
        if not isinstance(self.components, tuple):
            raise ReportError("components", "must be a tuple of strings")
        _aware_utc(self.started_at, "started_at")
        _aware_utc(self.finished_at, "finished_at")
        check_span(self.started_at, self.finished_at)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class IncidentEvent:
    """An incident being opened or resolved by an alerting tool; ``external_id`` ties the two together."""

    external_id: str
    action: str
    title: str
    severity: str
    environment: str
    started_at: datetime | None
    resolved_at: datetime | None
    description: str
    source: str

    def __post_init__(self) -> None:
        if not self.external_id:
            raise ReportError("external_id", "is required")
        _one_of(self.action, INCIDENT_ACTIONS, "action")
        _one_of(self.severity, SEVERITIES, "severity")
        _one_of(self.source, INCIDENT_SOURCES, "source")
        _aware_utc(self.started_at, "started_at")
        _aware_utc(self.resolved_at, "resolved_at")
        check_span(self.started_at, self.resolved_at, field="resolved_at")


def _one_of(value: object, allowed: tuple[str, ...], field: str) -> None:
    if value not in allowed:
        raise ReportError(field, f"{value!r} is not one of {', '.join(allowed)}")


def parse_timestamp(value: object, field: str, *, now: datetime | None = None) -> datetime:
    """Parse an ISO 8601 timestamp (offset or ``Z``) or GitLab's ``2021-04-28 21:50:00 +0200`` into UTC.

    Refuses non-strings, unparseable text, naive timestamps (no zone) and -- when ``now`` is given -- ones
    more than ``MAX_FUTURE`` ahead of it. Fractional seconds beyond microseconds (Go's nanoseconds) are cut.
    """
    if not isinstance(value, str) or not value.strip():
        raise ReportError(field, "must be a timestamp string")
    text = value.strip()
    parsed = _parse(text)
    if parsed is None:
        raise ReportError(field, f"unparseable timestamp {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ReportError(field, f"timestamp {value!r} has no timezone")
    parsed = parsed.astimezone(UTC)
    if now is not None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if parsed > now + MAX_FUTURE:
            raise ReportError(field, f"timestamp {value!r} is more than a day in the future")
    return parsed


def _parse(text: str) -> datetime | None:
    if text.endswith(" UTC"):  # GitLab's other form: "2016-08-12 15:23:28 UTC"
        text = text[:-4] + " +0000"
    for form in _GITLAB_FORMS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def check_sha(value: object, field: str) -> str:
    """Return ``value`` lower-cased if it is 7-40 hex characters (a full SHA is 40), else raise ``ReportError``."""
    if not isinstance(value, str):
        raise ReportError(field, "must be a hex commit SHA string")
    sha = value.strip().lower()
    if not _HEX.fullmatch(sha):
        raise ReportError(field, f"{value!r} is not a 7-40 character hex commit SHA")
    return sha


def is_full_sha(value: str) -> bool:
    return len(value) == 40 and bool(_HEX.fullmatch(value))


def check_span(started: datetime | None, finished: datetime | None, *, field: str = "finished_at") -> None:
    """Refuse an end before the start (``ReportError`` naming ``field``); either side may be unknown."""
    if started is not None and finished is not None and finished < started:
        raise ReportError(field, f"{finished.isoformat()} is before the start {started.isoformat()}")
