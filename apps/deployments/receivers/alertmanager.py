"""Prometheus Alertmanager's webhook (``version: "4"``) -> one ``IncidentEvent`` per alert.

``external_id`` is the alert's ``fingerprint``; payloads from older Alertmanagers lack it, so then it is
``labels:<sha256 of the sorted labels, 16 hex>`` -- stable, since an alert's identity *is* its label set.
Action: ``firing`` -> open, ``resolved`` -> resolve (an alert without its own ``status`` takes the
group's). Title: ``annotations.summary``, else ``labels.alertname``. Description:
``annotations.description``, else ``annotations.message``. Severity from ``labels.severity``:
critical -> sev1, high/error -> sev2, warning -> sev3, anything else or none -> sev4 (``sev1``..``sev4``
pass through). Environment from labels ``environment``, ``env``, ``namespace`` (slugified; ``""`` if none).
``startsAt`` is required; ``endsAt`` is read only for resolved alerts (for firing ones it is Alertmanager's
provisional end, or Go's zero time ``0001-01-01T00:00:00Z``, which means "not ended").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

from .environments import slugify_environment
from .report import SEVERITIES, IncidentEvent, ReportError, parse_timestamp

ACTIONS = {"firing": "open", "resolved": "resolve"}
SEVERITY_MAP = {"critical": "sev1", "high": "sev2", "error": "sev2", "warning": "sev3", "info": "sev4"}
ENVIRONMENT_LABELS = ("environment", "env", "namespace")
GO_ZERO_TIME = "0001-01-01T00:00:00Z"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def labels_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable id for an alert without ``fingerprint``: hash of its labels, sorted by name."""
    canonical = json.dumps(sorted((str(k), str(v)) for k, v in labels.items()), separators=(",", ":"))
    return "labels:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def severity_of(labels: Mapping[str, str]) -> str:
    value = _text(labels.get("severity")).lower()
    return value if value in SEVERITIES else SEVERITY_MAP.get(value, "sev4")


def _event(alert: object, index: int, group_status: object, now: datetime) -> IncidentEvent:
    where = f"alerts[{index}]"
    if not isinstance(alert, Mapping):
        raise ReportError(where, "must be an object")
    labels = alert.get("labels", {})
    annotations = alert.get("annotations") or {}
    if not isinstance(labels, Mapping) or not labels:
        raise ReportError(f"{where}.labels", "must be a non-empty object")
    if not isinstance(annotations, Mapping):
        raise ReportError(f"{where}.annotations", "must be an object")
    status = alert.get("status") or group_status
    if status not in ACTIONS:
        raise ReportError(f"{where}.status", f"expected firing or resolved, got {status!r}")
    started_at = parse_timestamp(alert.get("startsAt"), f"{where}.startsAt", now=now)
    resolved_at = None
    ends = alert.get("endsAt")
    if status == "resolved" and ends and ends != GO_ZERO_TIME:
        resolved_at = parse_timestamp(ends, f"{where}.endsAt", now=now)
        if resolved_at < started_at:
            raise ReportError(f"{where}.endsAt", "is before startsAt")
    environment = next((_text(labels.get(k)) for k in ENVIRONMENT_LABELS if _text(labels.get(k))), "")
    return IncidentEvent(
        external_id=_text(alert.get("fingerprint")) or labels_fingerprint(labels),
        action=ACTIONS[status],
        title=_text(annotations.get("summary")) or _text(labels.get("alertname")) or "Alert",
        severity=severity_of(labels),
        environment=slugify_environment(environment),
        started_at=started_at,
        resolved_at=resolved_at,
        description=_text(annotations.get("description")) or _text(annotations.get("message")),
        source="alertmanager",
    )


def from_webhook(payload: dict, *, now: datetime) -> list[IncidentEvent]:
    """Map one Alertmanager notification to its events (in the payload's order); ``ReportError`` on bad input."""
    if not isinstance(payload, Mapping):
        raise ReportError("payload", "must be a JSON object")
    version = payload.get("version")
    if version is not None and str(version) != "4":
        raise ReportError("version", f"unsupported webhook version {version!r} (expected '4')")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise ReportError("alerts", "must be a non-empty list")
    return [_event(alert, i, payload.get("status"), now) for i, alert in enumerate(alerts)]
