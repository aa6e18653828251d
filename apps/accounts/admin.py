from django.contrib import admin

from apps.core.admin import ServiceAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    list_display = ["name", "user", "key_hint", "read_only", "all_projects", "expires_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["read_only", "all_projects", "revoked_at", "expires_at"]
    search_fields = ["name", "user__username", "key_hint"]
    list_select_related = ["user"]
    # A token never gains scope: its projects are fixed when it is minted (revoke it and mint another).
    readonly_fields = ["key_hint", "all_projects", "projects", "last_used_at", "created_at"]

    def has_add_permission(self, request):
        # Secrets are minted by the token page or `manage.py create_api_token`, which show them once.
        return False
