"""The one change log: snapshot an object, and record who changed what.

Services call ``log_change`` inside their transaction, so a rolled-back write leaves no entry.
Which door a change came through (ui/api/admin/task/cli) is read from a context variable that the
door sets with ``change_source``; services never need to be told. ``change_log_prune`` applies the
retention (the nightly task calls it).
"""

import contextvars
import datetime
import decimal
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import ObjectChange

_source: contextvars.ContextVar[str] = contextvars.ContextVar("change_source", default="")


@contextmanager
def change_source(via: str):
    token = _source.set(via)
    try:
        yield
    finally:
        _source.reset(token)


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return value


# Secrets (even hashed) never go into the change log, whatever model carries them.
NEVER_LOGGED = frozenset({"password"})


def snapshot(instance: models.Model, exclude: tuple[str, ...] = ("created_at", "updated_at")) -> dict:
    """A JSON-safe dict of the instance's concrete fields (FKs by id), for before/after."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.name in NEVER_LOGGED or getattr(field, "log_exclude", False):
            continue
        data[field.attname] = _json_value(getattr(instance, field.attname))
    for name in getattr(instance, "changelog_exclude", ()):
        data.pop(name, None)
    return data


def project_of(instance: models.Model):
    if instance._meta.model_name == "project" and instance._meta.app_label == "projects":
        return instance
    return getattr(instance, "project", None)


def log_change(
    *,
    actor,
    instance: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    verb: str = "",
    message: str = "",
    project=None,
) -> ObjectChange | None:
    """Record one change. An update that changed nothing is not logged."""
    if action == ObjectChange.Action.UPDATE and before is not None and before == after:
        return None
    actor = actor if getattr(actor, "is_authenticated", False) else None
    project = project if project is not None else project_of(instance)
    if project is instance and action == ObjectChange.Action.DELETE:
        project = None  # the project's own deletion must outlive the project's cascade
    return ObjectChange.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        project=project if project is not None and project.pk else None,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        verb=verb,
        message=message[:500],
        before=before,
        after=after,
        via=_source.get(),
    )


PRUNE_BATCH = 10_000


def change_log_prune(*, older_than: datetime.timedelta | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete entries older than CHANGE_LOG_RETENTION_DAYS (or ``older_than``); returns how many.

    Deleted in batches, so a first prune of a large table never holds one long transaction.
    Bulk housekeeping of the log itself: not logged.
    """
    retention = older_than if older_than is not None else settings.THREADLINE_CHANGE_LOG_RETENTION
    old = ObjectChange.objects.filter(time__lt=timezone.now() - retention).order_by()
    total = 0
    while deleted := ObjectChange.objects.filter(pk__in=old.values("pk")[:batch]).delete()[0]:
        total += deleted
    return total
