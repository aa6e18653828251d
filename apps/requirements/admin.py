from django.contrib import admin

from apps.core.admin import ChangeLoggedAdmin

from .models import AcceptanceCriterion, Label, Requirement, RequirementComment


class CriterionInline(admin.TabularInline):
    model = AcceptanceCriterion
    extra = 0


@admin.register(Requirement)
class RequirementAdmin(ChangeLoggedAdmin):
    """Support edits only: status moves and revisions belong to the app's services."""

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


@admin.register(Label)
class LabelAdmin(ChangeLoggedAdmin):
    list_display = ["name", "project"]
    search_fields = ["name"]
    list_select_related = ["project"]


@admin.register(RequirementComment)
class RequirementCommentAdmin(ChangeLoggedAdmin):
    list_display = ["requirement", "author", "created_at"]
    list_select_related = ["requirement", "author"]
    raw_id_fields = ["requirement", "author"]
