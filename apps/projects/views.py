"""Project pages: list, create, overview, members and invitations, settings, activity."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views import generic

from apps.core.filtersets import ObjectChangeFilterSet
from apps.core.forms import add_service_errors
from apps.core.permissions import ADMINISTER, MANAGE, READ
from apps.core.views import (
    FilteredListMixin,
    ProjectMixin,
    ProjectObjectActionView,
    ProjectObjectListView,
    ServiceFormMixin,
)

from . import selectors, services
from .filtersets import MembershipFilterSet, ProjectFilterSet
from .forms import InvitationForm, MemberAddForm, MemberRoleForm, ProjectForm, ProjectSettingsForm
from .models import Invitation, Membership, Project
from .overview import overview_cards


class ProjectListView(LoginRequiredMixin, FilteredListMixin, generic.ListView):
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"
    paginate_by = 24

    def get_queryset(self):
        self.queryset = selectors.project_list(user=self.request.user)
        return super().get_queryset()


class ProjectCreateView(LoginRequiredMixin, ServiceFormMixin, generic.CreateView):
    form_class = ProjectForm
    template_name = "projects/project_form.html"
    success_message = "Project created. Add your teammates next."

    def perform_save(self, form):
        return services.project_create(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("projects:member_list", kwargs={"project_slug": self.object.slug})


class ProjectDetailView(ProjectMixin, generic.TemplateView):
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cards=overview_cards(self.project),
            recent_changes=selectors.activity_list(project=self.project)[:8],
            members=selectors.membership_list(project=self.project)[:12],
            **kwargs,
        )


class MemberListView(ProjectObjectListView):
    """Members, and (for maintainers and owners) the form to add one, and pending invitations.

    Adding an email nobody uses yet offers to invite it; the invitation's form posts here too.
    """

    filterset_class = MembershipFilterSet
    selector = staticmethod(selectors.membership_list)
    template_name = "projects/member_list.html"

    def required_role(self) -> str:
        return MANAGE if self.request.method == "POST" else READ  # POST adds a member or invites one

    def get_context_data(self, **kwargs):
        kwargs.setdefault("add_form", MemberAddForm())
        if self.access.can_manage:
            kwargs["invitations"] = selectors.pending_invitations(project=self.project)
        return super().get_context_data(role_form=MemberRoleForm(), **kwargs)

    def render_page(self, status: int, **context):
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(**context), status=status)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "invite":
            return self.invite(request)
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                membership = services.membership_add(
                    project=self.project, actor=request.user, access=self.access, **form.cleaned_data
                )
            except ValidationError as exc:
                offer = self.invitation_offer(exc, **form.cleaned_data)
                if offer is not None:  # not an error: nobody uses this email yet
                    return self.render_page(200, add_form=MemberAddForm(initial=form.cleaned_data), invite_offer=offer)
                form.add_error(None, exc)
            else:
                messages.success(request, f"Added {membership.user.username} as {membership.role}.")
                return redirect("projects:member_list", project_slug=self.project.slug)
        return self.render_page(400, add_form=form)

    @staticmethod
    def invitation_offer(error: ValidationError, *, user: str, role: str) -> dict | None:
        """The invitation to offer when the add failed only because no account uses this email."""
        codes = {e.code for e in getattr(error, "error_dict", {}).get("user", [])}
        if "unknown_user" not in codes:
            return None
        try:
            validate_email(user.strip())
        except ValidationError:
            return None
        return {"email": user.strip().lower(), "role": role}

    def invite(self, request):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation, _ = services.invitation_create(
                    project=self.project, actor=request.user, access=self.access,
                    site_url=request.build_absolute_uri("/"), **form.cleaned_data,
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, (
                    f"Invited {invitation.email} as {invitation.role}: they get an email with a link to join, "
                    f"valid until {invitation.expires_at:%Y-%m-%d}."
                ))  # fmt: skip
                return redirect("projects:member_list", project_slug=self.project.slug)
        return self.render_page(400, invite_form=form)


class MembershipActionView(ProjectObjectActionView):
    """A button on the members page (on a membership, or an invitation): one service, then back there."""

    model = Membership
    permission = MANAGE

    def get_success_url(self) -> str:
        return reverse("projects:member_list", kwargs={"project_slug": self.project.slug})


class MemberRoleView(MembershipActionView):
    def act(self) -> str:
        form = MemberRoleForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a valid role.")
        membership = services.membership_change_role(
            membership=self.object, actor=self.request.user, access=self.access, **form.cleaned_data
        )
        return f"{membership.user.username} is now {membership.role}."


class MemberRemoveView(MembershipActionView):
    def act(self) -> str:
        services.membership_remove(membership=self.object, actor=self.request.user, access=self.access)
        return f"Removed {self.object.user.username}."


class ProjectLeaveView(MembershipActionView):
    permission = READ  # anyone may leave, even a viewer

    def get_object(self, queryset=None):
        return get_object_or_404(Membership, project=self.project, user=self.request.user)

    def act(self) -> str:
        services.membership_remove(membership=self.object, actor=self.request.user, access=self.access)
        return f"You left {self.project.name}."

    def get_success_url(self) -> str:
        if Membership.objects.filter(project=self.project, user=self.request.user).exists():
            return super().get_success_url()
        return reverse("projects:project_list")


class InvitationRevokeView(MembershipActionView):
    model = Invitation

    def act(self) -> str:
        services.invitation_revoke(invitation=self.object, actor=self.request.user, access=self.access)
        return f"Revoked the invitation of {self.object.email}."


class InvitationView(generic.TemplateView):
    """The page an invitation email links to: who invites whom to what, and the way in.

    Anyone holding the link sees it (the token is the secret); joining needs an account whose
    verified emails include the invited one. An unknown token is a 404; an expired, revoked or used
    invitation says which (410) and changes nothing.
    """

    template_name = "projects/invitation_detail.html"

    def dispatch(self, request, *args, **kwargs):
        queryset = Invitation.objects.select_related("project", "invited_by", "accepted_by")
        self.invitation = get_object_or_404(queryset, token_hash=Invitation.hash_token(kwargs["token"]))
        return super().dispatch(request, *args, **kwargs)

    def joined(self) -> bool:
        """Did the visitor accept this invitation (signing up through it, say) and still belong?"""
        user, invitation = self.request.user, self.invitation
        return (invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by_id == user.pk
                and Membership.objects.filter(project=invitation.project, user=user).exists())  # fmt: skip

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.joined():
            return redirect(self.invitation.project)
        return self.render_page()

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.invitation_accept(invitation=self.invitation, user=request.user)
        except ValidationError as exc:
            return self.render_page(error=" ".join(exc.messages))
        messages.success(request, f"Welcome to {membership.project.name}: you are a {membership.role} here.")
        return redirect(membership.project)

    def render_page(self, error: str = ""):
        invitation, user = self.invitation, self.request.user
        # Expired, revoked or used: the page says which, in its own words.
        dead = invitation.status != Invitation.Status.PENDING
        context = {"invitation": invitation, "dead": dead, "error": error, "next_path": self.request.path}
        if user.is_authenticated and not dead:
            context["member"] = Membership.objects.filter(project=invitation.project, user=user).first()
            context["email_ok"] = services.user_has_verified_email(user, invitation.email)
        status = 410 if dead else 400 if error else 200
        return render(self.request, self.template_name, self.get_context_data(**context), status=status)


class ProjectSettingsView(ProjectMixin, ServiceFormMixin, generic.UpdateView):
    model = Project
    form_class = ProjectSettingsForm
    template_name = "projects/project_settings.html"
    permission = MANAGE
    success_message = "Settings saved."

    def get_object(self, queryset=None):
        return self.project

    def perform_save(self, form):
        return services.project_update(project=self.project, actor=self.request.user, **form.cleaned_data)

    def form_invalid(self, form):
        # The form changed self.project in place while validating; show the stored slug in links.
        self.project.refresh_from_db()
        return super().form_invalid(form)

    def get_success_url(self):
        return reverse("projects:project_settings", kwargs={"project_slug": self.object.slug})


class ProjectDeleteView(ProjectMixin, generic.TemplateView):
    template_name = "projects/project_confirm_delete.html"
    permission = ADMINISTER

    def post(self, request, *args, **kwargs):
        if request.POST.get("confirm_slug") != self.project.slug:
            messages.error(request, "Type the project's slug to confirm deletion.")
            return redirect("projects:project_delete", project_slug=self.project.slug)
        services.project_delete(project=self.project, actor=request.user)
        messages.success(request, f"Deleted {self.project.name}.")
        return redirect(reverse_lazy("projects:project_list"))


class ActivityListView(ProjectObjectListView):
    filterset_class = ObjectChangeFilterSet
    selector = staticmethod(selectors.activity_list)
    template_name = "projects/activity_list.html"
    partial_template_name = "projects/_activity_rows.html"
