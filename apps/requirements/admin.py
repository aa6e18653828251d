"""Requirements in the admin: every save goes through the requirement services, so an edit here
makes a revision and moves the fingerprint like an edit anywhere else."""

from django.contrib import admin

from apps.core.admin import KitAdmin, ServiceAdmin

from . import services
from .models import AcceptanceCriterion, RequirementComment


class CriterionInline(admin.TabularInline):
    model = AcceptanceCriterion
    extra = 0
    fields = ["position", "text", "met"]


class RequirementAdmin(KitAdmin):
    """Support edits: status moves and keys belong to the workflow and to creation (UI, API, import).
    Registered by the requirements kit (apps.requirements.views)."""

    list_display = ["key", "title", "project", "status", "type", "priority", "owner", "revision"]
    list_filter = ["status", "type", "priority", "project"]
    search_fields = ["title", "description", "number"]
    list_select_related = ["project", "owner"]
    readonly_fields = ["number", "status", "revision", "fingerprint"]
    raw_id_fields = ["parent", "owner"]
    filter_horizontal = ["labels"]
    inlines = [CriterionInline]

    def has_add_permission(self, request):
        return False  # keys are handed out by services.requirement_create (UI, API or import)

    def inline_save(self, request, obj):
        if obj.pk is None:
            services.criterion_add(requirement=obj.requirement, actor=request.user, text=obj.text, met=obj.met,
                                   position=obj.position)  # fmt: skip
        else:
            services.criterion_update(criterion=obj, actor=request.user, text=obj.text, met=obj.met,
                                      position=obj.position)  # fmt: skip

    def inline_delete(self, request, obj):
        services.criterion_delete(criterion=obj, actor=request.user)


@admin.register(RequirementComment)
class RequirementCommentAdmin(ServiceAdmin):
    list_display = ["requirement", "author", "created_at"]
    list_select_related = ["requirement", "author"]
    raw_id_fields = ["requirement", "author"]
