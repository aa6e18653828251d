"""Projects and memberships in the admin, through the same services as the pages and the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core.admin import ServiceAdmin
from apps.core.permissions import ProjectAccess, Role

from . import services
from .models import Invitation, Membership, Project


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # Checked here too so the admin shows it on the form instead of failing in the service.
        losing = {
            form.instance.pk for form in self.forms
            if form.instance.pk and form.initial.get("role") == Role.OWNER
            and (form in self.deleted_forms or form.cleaned_data.get("role") != Role.OWNER)
        }  # fmt: skip
        gaining = any(
            form.cleaned_data.get("role") == Role.OWNER and form.initial.get("role") != Role.OWNER
            for form in self.forms if form not in self.deleted_forms and form.cleaned_data
        )  # fmt: skip
        if losing and not gaining and not services.owner_remains(project=self.instance, losing=losing):
            raise forms.ValidationError("A project needs an owner: keep or add one.")


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]


class MembershipServices:
    """Membership rows are added, re-roled and removed by the membership services."""

    def _save_membership(self, request, obj, change):
        access = ProjectAccess.system(obj.project)
        if not change:
            return services.membership_add(project=obj.project, actor=request.user, access=access,
                                           user=obj.user, role=obj.role)  # fmt: skip
        return services.membership_change_role(membership=obj, actor=request.user, access=access, role=obj.role)

    def _remove_membership(self, request, obj):
        services.membership_remove(membership=obj, actor=request.user, access=ProjectAccess.system(obj.project))


@admin.register(Project)
class ProjectAdmin(MembershipServices, ServiceAdmin):
    list_display = ["name", "slug", "archived", "created_at"]
    list_filter = ["archived"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def service_save(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            return services.project_update(project=obj, actor=request.user, **values)
        return services.project_create(actor=request.user, **form.cleaned_data)

    def service_delete(self, request, obj):
        services.project_delete(project=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        # New owners first, so swapping the owner in one save never leaves the project without one.
        rows = sorted(formset.save(commit=False), key=lambda obj: obj.role != Role.OWNER)
        for obj in rows:
            self._save_membership(request, obj, change=obj.pk is not None)
        for obj in formset.deleted_objects:
            self._remove_membership(request, obj)



@admin.register(Membership)
class MembershipAdmin(MembershipServices, ServiceAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "user__email", "project__name"]
    list_select_related = ["user", "project"]
    autocomplete_fields = ["user", "project"]

    def service_save(self, request, obj, form, change):
        return self._save_membership(request, obj, change)

    def service_delete(self, request, obj):
        self._remove_membership(request, obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made on the members page or the API (they send an email); here they are read,
    and revoked through the service. The token's hash is never shown."""

    list_display = ["email", "project", "role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["role", "project"]
    search_fields = ["email", "project__name", "invited_by__username"]
    list_select_related = ["project", "invited_by"]
    fields = ["project", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by",
              "revoked_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who was invited stays

    def has_revoke_permission(self, request):
        return request.user.has_perm("projects.change_invitation")

    @admin.action(description="Revoke the selected invitations", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset.select_related("project"):
            try:
                services.invitation_revoke(invitation=invitation, actor=request.user,
                                           access=ProjectAccess.system(invitation.project))  # fmt: skip
            except ValidationError as exc:
                self.message_user(request, f"{invitation.email}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                revoked += 1
        self.message_user(request, f"Revoked {revoked} invitation(s).")
