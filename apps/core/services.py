"""Generic write services: validate with the model's full_clean, save, log once.

Domain services call these for plain create/update/delete and add their own rules around them;
every write therefore goes through one validation path and one change log.
"""

from django.db import models, transaction

from .changelog import log_change, snapshot
from .models import ObjectChange


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
    """Create or update ``instance`` (already carrying its new values) and log the change."""
    creating = instance._state.adding
    before = None
    if not creating:
        before = snapshot(type(instance)._default_manager.get(pk=instance.pk))
    if validate:
        instance.full_clean()
    instance.save()
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
    before = snapshot(instance)
    pk = instance.pk
    log_change(actor=actor, instance=instance, action=ObjectChange.Action.DELETE, before=before, message=message)
    instance.delete()
    instance.pk = pk
