"""Requirement pages: short declarative subclasses of apps.core's generic views; writes call services."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import generic

from apps.core.permissions import MANAGE, WRITE
from apps.core.views import (
    ProjectImportView,
    ProjectMixin,
    ProjectObjectActionView,
    ProjectObjectCreateView,
    ProjectObjectDeleteView,
    ProjectObjectDetailView,
    ProjectObjectListView,
    ProjectObjectUpdateView,
)

from . import selectors, services, transfer, workflow
from .filtersets import RequirementFilterSet
from .forms import BulkForm, CommentForm, CriterionForm, RequirementForm, TransitionForm
from .models import AcceptanceCriterion, Requirement
from .revisions import as_text, diff_lines
from .verification import verification_of


class RequirementObjectMixin:
    """Finds the requirement from the <reqkey:number> URL part, within the project."""

    model = Requirement
    slug_field = slug_url_kwarg = "number"
    pk_url_kwarg = "requirement_pk"  # never in our URLs: "pk" there is a criterion's
    selector = staticmethod(selectors.requirement_list)


class RequirementListView(ProjectObjectListView):
    filterset_class = RequirementFilterSet
    selector = staticmethod(selectors.requirement_list)
    template_name = "requirements/requirement_list.html"
    partial_template_name = "requirements/_requirement_rows.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(bulk_form=BulkForm(), **kwargs)


class RequirementDetailView(RequirementObjectMixin, ProjectObjectDetailView):
    template_name = "requirements/requirement_detail.html"
    selector = staticmethod(selectors.requirement_detail)

    def get_context_data(self, **kwargs):
        status = self.object.status
        moves = [(to, workflow.BUTTONS[to]) for to in workflow.next_statuses(status)
                 if self.access.can(workflow.required_role(status, to))]  # fmt: skip
        return super().get_context_data(
            moves=moves,
            criterion_form=CriterionForm(),
            comment_form=CommentForm(),
            verification=verification_of(self.object),
            **kwargs,
        )


class RequirementFormMixin(RequirementObjectMixin):
    read_role = WRITE  # viewers don't get a form they can't submit
    form_class = RequirementForm
    template_name = "generic/object_form.html"

    def form_values(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in RequirementForm.Meta.fields}


class RequirementCreateView(RequirementFormMixin, ProjectObjectCreateView):
    success_message = "Requirement created. Add its acceptance criteria next."

    def perform_save(self, form):
        return services.requirement_create(project=self.project, actor=self.request.user, **self.form_values(form))


class RequirementUpdateView(RequirementFormMixin, ProjectObjectUpdateView):
    def perform_save(self, form):
        return services.requirement_update(requirement=form.instance, actor=self.request.user, **self.form_values(form))


class RequirementDeleteView(RequirementObjectMixin, ProjectObjectDeleteView):
    read_role = write_role = MANAGE

    def perform_delete(self, obj):
        services.requirement_delete(requirement=obj, actor=self.request.user)

    def get_success_url(self):
        return reverse("requirements:requirement_list", args=[self.project.slug])


class RequirementTreeView(ProjectMixin, generic.TemplateView):
    template_name = "requirements/requirement_tree.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=selectors.requirement_tree(project=self.project), **kwargs)


class RequirementTransitionView(RequirementObjectMixin, ProjectObjectActionView):
    def act(self) -> str:
        form = TransitionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a valid status.")
        services.requirement_transition(requirement=self.object, actor=self.request.user, access=self.access,
                                        **form.cleaned_data)  # fmt: skip
        return f"{self.object.key} {workflow.VERBS[self.object.status]}."


class CommentCreateView(RequirementObjectMixin, ProjectObjectActionView):
    def act(self) -> str:
        form = CommentForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Write something before posting a comment.")
        services.comment_add(requirement=self.object, actor=self.request.user, body=form.cleaned_data["body"])
        return ""

    def get_success_url(self):
        return super().get_success_url() + "#discussion"


class CriterionCreateView(RequirementObjectMixin, ProjectObjectActionView):
    def act(self) -> str:
        form = CriterionForm(self.request.POST, instance=AcceptanceCriterion(requirement=self.object))
        if not form.is_valid():
            raise ValidationError([f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()])
        services.criterion_add(requirement=self.object, actor=self.request.user, **form.cleaned_data)
        return "Criterion added."

    def get_success_url(self):
        return super().get_success_url() + "#criteria"


class CriterionActionView(CriterionCreateView):
    """An action on one criterion of the requirement."""

    def criterion(self) -> AcceptanceCriterion:
        return get_object_or_404(AcceptanceCriterion, requirement=self.object, pk=self.kwargs["pk"])


class CriterionUpdateView(CriterionActionView):
    def act(self) -> str:
        criterion = self.criterion()
        form = CriterionForm(self.request.POST, instance=criterion)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()])
        services.criterion_update(criterion=criterion, actor=self.request.user, **form.cleaned_data)
        return "Criterion saved."


class CriterionMoveView(CriterionActionView):
    def act(self) -> str:
        criterion = self.criterion()
        step = -1 if self.request.POST.get("direction") == "up" else 1
        services.criterion_move(criterion=criterion, actor=self.request.user, position=criterion.position + step)
        return ""


class CriterionDeleteView(CriterionActionView):
    def act(self) -> str:
        services.criterion_delete(criterion=self.criterion(), actor=self.request.user)
        return "Criterion removed."


class RevisionDiffView(RequirementObjectMixin, ProjectObjectDetailView):
    template_name = "requirements/revision_diff.html"

    def get_context_data(self, **kwargs):
        revisions = {r.number: r for r in self.object.revisions.all()}
        latest = self.object.revision
        a, b = self._number("a", latest - 1), self._number("b", latest)
        old, new = revisions.get(a), revisions.get(b)
        lines = []
        if old and new:
            lines = diff_lines(
                as_text(old.title, old.description, old.criteria),
                as_text(new.title, new.description, new.criteria),
                f"revision {a}",
                f"revision {b}",
            )
        return super().get_context_data(revisions=list(revisions.values()), a=a, b=b, old=old, new=new,
                                        lines=lines, **kwargs)  # fmt: skip

    def _number(self, name: str, default: int) -> int:
        value = self.request.GET.get(name, "")
        return int(value) if value.isdigit() else max(default, 1)


class RequirementBulkView(ProjectMixin, generic.View):
    """POST from the list page's bulk bar; all-or-nothing, then back to the same filtered list."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        queryset = Requirement.objects.filter(project=self.project).select_related("project")
        form = BulkForm(request.POST, numbers=queryset.values_list("number", flat=True))
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
            return self.back()
        data, chosen = form.cleaned_data, list(queryset.filter(number__in=form.cleaned_data["numbers"]))
        try:
            if data["action"] == "status":
                count = services.requirement_bulk_transition(
                    requirements=chosen, to=data["to"], actor=request.user, access=self.access
                )
                messages.success(request, f"{count} requirement(s) {workflow.VERBS[data['to']]}.")
            else:
                remove = data["action"] == "label_remove"
                count = services.requirement_bulk_label(
                    requirements=chosen, label=data["label"], actor=request.user, remove=remove
                )
                done = "removed from" if remove else "added to"
                messages.success(request, f"Label '{data['label']}' {done} {count} requirement(s).")
        except ValidationError as exc:
            messages.error(request, "Nothing changed. " + " ".join(exc.messages))
        return self.back()

    def back(self):
        url = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            url = reverse("requirements:requirement_list", args=[self.project.slug])
        return HttpResponseRedirect(url)


class RequirementExportView(ProjectObjectListView):
    """The list page's filtered requirements as ?format=csv (default) or json."""

    filterset_class = RequirementFilterSet
    selector = partial(selectors.requirement_list, with_criteria=True)

    def get(self, request, *args, **kwargs):
        fmt = "json" if request.GET.get("format") == "json" else "csv"
        return transfer.export_download(queryset=self.get_queryset(), fmt=fmt, project=self.project)


class RequirementImportView(ProjectImportView):
    template_name = "requirements/requirement_import.html"
    columns = transfer.COLUMNS

    def run_import(self, data, *, dry_run: bool):
        return transfer.requirements_import(project=self.project, actor=self.request.user, data=data, dry_run=dry_run)

    @property
    def success_url(self):
        return reverse("requirements:requirement_list", args=[self.project.slug])
