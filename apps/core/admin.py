"""Admin for the change log, and the mixin that makes every admin edit land in it."""

from django.contrib import admin

from .changelog import change_source, log_change, snapshot
from .models import ObjectChange


class ChangeLoggedAdmin(admin.ModelAdmin):
    """Admin edits go through the same change log as UI, API and tasks."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        with change_source("admin"):
            log_change(
                actor=request.user,
                instance=obj,
                action=ObjectChange.Action.UPDATE if change else ObjectChange.Action.CREATE,
                before=before,
                after=snapshot(obj),
            )

    def delete_model(self, request, obj):
        with change_source("admin"):
            log_change(actor=request.user, instance=obj, action=ObjectChange.Action.DELETE, before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (e.g. a project's memberships) are logged like any other edit."""
        changed = [f.instance for f in formset.forms if f.instance.pk and f.has_changed()]
        befores = {obj.pk: snapshot(type(obj)._default_manager.get(pk=obj.pk)) for obj in changed}
        with change_source("admin"):
            # Deletions are logged first: afterwards the rows no longer have a primary key.
            for deleted in formset.deleted_forms:
                if deleted.instance.pk:
                    log_change(actor=request.user, instance=deleted.instance,
                               action=ObjectChange.Action.DELETE,
                               before=befores.get(deleted.instance.pk) or snapshot(deleted.instance))
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                log_change(actor=request.user, instance=obj, action=ObjectChange.Action.CREATE, after=snapshot(obj))
            for obj, _fields in formset.changed_objects:
                log_change(actor=request.user, instance=obj, action=ObjectChange.Action.UPDATE,
                           before=befores.get(obj.pk), after=snapshot(obj))
