"""Generic write services: validate with the model's full_clean, save, log once.

Domain services call these for plain create/update/delete and add their own rules around them;
every write therefore goes through one validation path and one change log.
"""

import functools

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from .changelog import log_change, snapshot
from .models import ObjectChange, ProjectCounter


class Conflict(Exception):
    """A write lost a race with another one (the row was deleted or changed under it): nothing was
    saved, and trying again is safe. The API answers 409; pages show the message."""


def atomic_or_conflict(message: str):
    """Run the decorated write in one transaction; a uniqueness race lost to a concurrent write (an
    IntegrityError) becomes a Conflict with ``message``, and nothing of it is saved."""

    def decorate(function):
        @functools.wraps(function)
        def write(*args, **kwargs):
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except IntegrityError:
                raise Conflict(message) from None

        return write

    return decorate


def _lock_current(instance: models.Model) -> models.Model:
    """The stored row, locked until the transaction ends, so concurrent edits of it take turns."""
    model = type(instance)
    current = model._default_manager.select_for_update().filter(pk=instance.pk).first()
    if current is None:
        raise Conflict(f"This {model._meta.verbose_name} was deleted meanwhile; nothing was saved.")
    return current


def _save_row(instance: models.Model) -> None:
    """Save; a uniqueness race lost to a concurrent write becomes the model's own validation error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        instance.validate_constraints()  # the winner is committed now: this names the field
        raise Conflict("Another change was saved at the same moment; nothing was saved. Try again.") from None


@transaction.atomic
def reserve_numbers(*, project, name: str, count: int = 1, at_least: int = 0) -> range:
    """Take ``count`` fresh numbers of kind ``name`` in the project. The UPDATE locks the counter row
    until the transaction ends, so concurrent takers queue up instead of colliding; the counter never
    goes down, so numbers are never reused (a deleted REQ-7 stays deleted)."""
    ProjectCounter.objects.get_or_create(project=project, name=name)
    counter = ProjectCounter.objects.filter(project=project, name=name)
    counter.update(last_number=Greatest(F("last_number"), at_least) + count)
    last = counter.values_list("last_number", flat=True).get()
    return range(last - count + 1, last + 1)


def last_number(*, project, name: str) -> int:
    row = ProjectCounter.objects.filter(project=project, name=name).values_list("last_number", flat=True)
    return row.first() or 0


@transaction.atomic
def instance_save(
    *,
    instance: models.Model,
    actor,
    m2m: dict | None = None,
    verb: str = "",
    message: str = "",
    validate: bool = True,
) -> models.Model:
    """Create or update ``instance`` (already carrying its new values) and log the change.

    An update locks the stored row first, and keeps the fields services own (``editable=False``:
    numbers, statuses, revisions) as stored: a copy read before a concurrent write never puts
    them back to what they were.
    """
    creating = instance._state.adding
    before = None
    if not creating:
        current = _lock_current(instance)
        before = snapshot(current)
        for field in instance._meta.concrete_fields:
            if not field.editable and not field.primary_key:
                setattr(instance, field.attname, getattr(current, field.attname))
    if validate:
        instance.full_clean()
    _save_row(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    log_change(
        actor=actor,
        instance=instance,
        action=ObjectChange.Action.CREATE if creating else ObjectChange.Action.UPDATE,
        before=before,
        after=snapshot(instance),
        verb=verb,
        message=message,
    )
    return instance


@transaction.atomic
def instance_delete(*, instance: models.Model, actor, message: str = "") -> None:
    before = snapshot(_lock_current(instance))
    pk = instance.pk
    log_change(actor=actor, instance=instance, action=ObjectChange.Action.DELETE, before=before, message=message)
    instance.delete()
    instance.pk = pk
