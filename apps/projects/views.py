"""Project pages: list, create, overview, members, settings, activity."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views import generic

from apps.core.filtersets import ObjectChangeFilterSet
from apps.core.permissions import ADMINISTER, MANAGE, READ
from apps.core.views import FilteredListMixin, ProjectMixin, ProjectObjectListView, ServiceFormMixin

from . import selectors, services
from .filtersets import MembershipFilterSet, ProjectFilterSet
from .forms import MemberAddForm, MemberRoleForm, ProjectForm, ProjectSettingsForm
from .models import Membership, Project
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
    """Members, and (for maintainers and owners) the form to add one."""

    filterset_class = MembershipFilterSet
    selector = staticmethod(selectors.membership_list)
    template_name = "projects/member_list.html"

    def required_role(self) -> str:
        return MANAGE if self.request.method == "POST" else READ  # POST adds a member

    def get_context_data(self, **kwargs):
        kwargs.setdefault("add_form", MemberAddForm())
        return super().get_context_data(role_form=MemberRoleForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                membership = services.membership_add(
                    project=self.project, actor=request.user, access=self.access, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None if not hasattr(exc, "error_dict") else None, exc)
            else:
                messages.success(request, f"Added {membership.user.username} as {membership.role}.")
                return redirect("projects:member_list", project_slug=self.project.slug)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(add_form=form), status=400)


class MembershipActionView(ProjectMixin, generic.View):
    """POST-only actions on one membership; each calls one service."""

    http_method_names = ["post"]
    permission = MANAGE

    def membership(self):
        return get_object_or_404(Membership, project=self.project, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        try:
            text = self.act()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, text)
        return redirect(self.success_url())

    def success_url(self):
        return reverse("projects:member_list", kwargs={"project_slug": self.project.slug})


class MemberRoleView(MembershipActionView):
    def act(self) -> str:
        form = MemberRoleForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a valid role.")
        membership = services.membership_change_role(
            membership=self.membership(), actor=self.request.user, access=self.access, **form.cleaned_data
        )
        return f"{membership.user.username} is now {membership.role}."


class MemberRemoveView(MembershipActionView):
    def act(self) -> str:
        membership = self.membership()
        services.membership_remove(membership=membership, actor=self.request.user, access=self.access)
        return f"Removed {membership.user.username}."


class ProjectLeaveView(MembershipActionView):
    permission = READ  # anyone may leave, even a viewer

    def act(self) -> str:
        membership = get_object_or_404(Membership, project=self.project, user=self.request.user)
        services.membership_remove(membership=membership, actor=self.request.user, access=self.access)
        return f"You left {self.project.name}."

    def success_url(self):
        if Membership.objects.filter(project=self.project, user=self.request.user).exists():
            return super().success_url()
        return reverse("projects:project_list")


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
