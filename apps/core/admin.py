"""The admin as one more door onto the services: saves and deletes call them, and so land in the
change log with ``via = admin`` (set by apps.core.middleware), never beside it."""

from django.contrib import admin

from .models import ObjectChange
from .services import instance_delete, instance_save


class ServiceAdmin(admin.ModelAdmin):
    """Saves, deletes and inline rows go through services. By default those are core's generic
    ones; an admin whose model has its own services overrides the hooks below.

    The admin's ModelForm has already run the model's ``full_clean`` (it shows the errors on the
    form), so the generic save does not validate a second time.
    """

    def service_save(self, request, obj, form, change):
        return instance_save(instance=obj, actor=request.user, validate=False)

    def service_delete(self, request, obj) -> None:
        instance_delete(instance=obj, actor=request.user)

    def inline_save(self, request, obj) -> None:
        instance_save(instance=obj, actor=request.user, validate=False)

    def inline_delete(self, request, obj) -> None:
        instance_delete(instance=obj, actor=request.user)

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, form, change)
        if saved is not None and saved is not obj:  # a service that made its own instance
            obj.pk, obj._state.adding = saved.pk, False

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)

    def save_formset(self, request, form, formset, change):
        rows = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.inline_delete(request, obj)
        for obj in rows:
            self.inline_save(request, obj)
        formset.save_m2m()


class KitAdmin(ServiceAdmin):
    """The admin of a kit's model (apps.core.kit): writes go through the kit's services."""

    def _kit(self):
        from .kit import kit_for

        return kit_for(self.model)

    def _values(self, form, change) -> dict:
        names = {f.name for f in self.model._meta.concrete_fields} - {"project"}
        chosen = form.changed_data if change else form.cleaned_data
        return {name: form.cleaned_data[name] for name in chosen if name in names}

    def service_save(self, request, obj, form, change):
        if change:
            return self._kit().update(instance=obj, actor=request.user, values=self._values(form, change))
        return self._kit().create(project=obj.project, actor=request.user, values=self._values(form, change))

    def service_delete(self, request, obj) -> None:
        self._kit().delete(instance=obj, actor=request.user)


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """The change log is read-only: it records the other doors, it is not one."""

    list_display = ["time", "actor_name", "action", "verb", "content_type", "object_repr", "project", "via"]
    list_filter = ["action", "via", "content_type"]
    search_fields = ["object_repr", "actor_name", "verb", "message"]
    list_select_related = ["content_type", "project"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
