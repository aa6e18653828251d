from django.contrib import admin

from apps.core.admin import ServiceAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    list_display = ["name", "user", "key_hint", "read_only", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only", "revoked_at", "expires_at"]
    search_fields = ["name", "user__username", "key_hint"]
    list_select_related = ["user"]
    readonly_fields = ["key_hint", "last_used_at", "created_at"]
    filter_horizontal = ["projects"]

    def has_add_permission(self, request):
        # Secrets are minted by the token page or `manage.py create_api_token`, which show them once.
        return False
