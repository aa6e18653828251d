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


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ["time", "actor_name", "action", "verb", "content_type", "object_repr", "project", "via"]
    list_filter = ["action", "via", "content_type"]
    search_fields = ["object_repr", "actor_name", "message"]
    list_select_related = ["content_type", "project"]
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
