from django.contrib import admin

from apps.core.admin import ChangeLoggedAdmin

from .models import Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(ChangeLoggedAdmin):
    list_display = ["name", "slug", "archived", "created_at"]
    list_filter = ["archived"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ChangeLoggedAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "user__email", "project__name"]
    list_select_related = ["user", "project"]
    autocomplete_fields = ["user", "project"]
