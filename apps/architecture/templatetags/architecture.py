"""Badges and icons of the architecture pages, one place for their colours."""

from django import template

register = template.Library()

LIFECYCLE = {"planned": "text-bg-light border", "experimental": "text-bg-info", "production": "text-bg-success",
             "deprecated": "text-bg-warning", "retired": "text-bg-secondary"}  # fmt: skip
ADR_STATUS = {"proposed": "text-bg-info", "accepted": "text-bg-success", "rejected": "text-bg-danger",
              "deprecated": "text-bg-warning", "superseded": "text-bg-secondary"}  # fmt: skip
KIND_ICON = {"service": "hdd-network", "frontend": "window", "database": "database", "cache": "lightning-charge",
             "queue": "inboxes", "topic": "broadcast", "storage": "archive", "external": "globe",
             "library": "book"}  # fmt: skip


@register.filter
def lifecycle_badge(value: str) -> str:
    return LIFECYCLE.get(value, "text-bg-light border")


@register.filter
def adr_badge(value: str) -> str:
    return ADR_STATUS.get(value, "text-bg-light border")


@register.filter
def kind_icon(value: str) -> str:
    return KIND_ICON.get(value, "box")


@register.filter
def change_badge(level: str) -> str:
    """A schema (or contract) change's level: breaking red, the rest quiet."""
    if level in ("breaking", "ERR"):
        return "text-bg-danger"
    return "text-bg-warning" if level == "WARN" else "text-bg-light border"
