"""Requirement pages: short declarative subclasses of apps.core's generic views; writes call services."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import register_converter, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import generic

from apps.core.kit import ModelKit, Page, register
from apps.core.permissions import WRITE
from apps.core.tables import Column, Table
from apps.core.views import (
    ProjectImportView,
    ProjectMixin,
    ProjectObjectActionView,
    ProjectObjectCreateView,
    ProjectObjectDetailView,
    ProjectObjectListView,
    query_number,
)

from . import selectors, services, transfer, workflow
from .admin import RequirementAdmin
from .api.serializers import RequirementSerializer
from .api.views import RequirementViewSet
from .filtersets import RequirementFilterSet
from .forms import BulkForm, CommentForm, CriterionForm, RequirementForm, TransitionForm
from .models import KEY_PREFIX, AcceptanceCriterion, Label, Requirement
from .revisions import as_text, diff_lines
from .verification import verification_of

TICK_ALL = ('<input class="form-check-input" type="checkbox" aria-label="Tick all on this page" '
            'data-tick-all="#bulk-form input[name=numbers]">')  # fmt: skip


class RequirementTable(Table):
    load = "requirements"
    template_name = "requirements/_requirement_table.html"  # the bulk bar around the table
    empty_text = ("Write down what the system must do: each requirement gets a key like REQ-1, acceptance "
                  "criteria and a review workflow.")  # fmt: skip
    columns = [
        Column("number", "", role=WRITE, cell='<input class="form-check-input" type="checkbox" name="numbers" '
               'value="{{ row.number }}" aria-label="Tick {{ row.key }}">', header=TICK_ALL),
        Column("key", sort=True, link=True, classes="text-nowrap", cell="{{ row.key }}"),
        Column("title", sort=True, cell="{{ row.title }}"),
        Column("status", sort=True,
               cell='<span class="badge {{ row.status|status_badge }}">{{ row.get_status_display }}</span>'),
        Column("priority", sort=True,
               cell='<span class="badge {{ row.priority|priority_badge }}">{{ row.get_priority_display }}</span>'),
        Column("verification", "Tests", cell='<a href="?verification={{ row.verification }}" class="badge '
               'text-decoration-none {{ row.verification|verification_badge }}">{{ row.verification }}</a>'),
        Column("type", classes="small", cell='{{ row.get_type_display }}{% if row.category %}<div '
               'class="text-body-secondary">{{ row.get_category_display }}</div>{% endif %}'),
        Column("owner", classes="small", cell='{{ row.owner.username|default:"—" }}'),
        Column("labels", cell='{% for label in row.labels.all %}<a class="badge rounded-pill text-bg-light border '
               'text-decoration-none" href="?label={{ label.name|urlencode }}">{{ label.name }}</a> {% endfor %}'),
        Column("parent", classes="small text-nowrap", cell="{% if row.parent %}<a href=\"{% url "
               "'requirements:requirement_detail' project.slug row.parent.number %}\">{{ row.parent.key }}</a>"
               "{% else %}—{% endif %}"),
        Column("updated_at", "Updated", sort=True, classes="small text-body-secondary text-nowrap"),
    ]


class RequirementListView(ProjectObjectListView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(bulk_form=BulkForm(), **kwargs)


class RequirementDetailView(ProjectObjectDetailView):
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


class RequirementCreateView(ProjectObjectCreateView):
    success_message = "Requirement created. Add its acceptance criteria next."


class RequirementOptionsView(ProjectMixin, generic.TemplateView):
    """Suggestions for a field that names a requirement (e.g. a parent): the first 20 whose key or
    title matches what was typed (``?q=`` or the field's own name), as ``<option>``s for a datalist."""

    template_name = "requirements/_requirement_options.html"

    def get_context_data(self, **kwargs):
        typed = (self.request.GET.get("q") or self.request.GET.get("parent") or "").strip()
        return super().get_context_data(options=selectors.requirement_matches(project=self.project, text=typed),
                                        **kwargs)  # fmt: skip


class RequirementTreeView(ProjectMixin, generic.TemplateView):
    template_name = "requirements/requirement_tree.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=selectors.requirement_tree(project=self.project), **kwargs)


class RequirementTransitionView(ProjectObjectActionView):
    def act(self) -> str:
        form = TransitionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose a valid status.")
        services.requirement_transition(requirement=self.object, actor=self.request.user, access=self.access,
                                        **form.cleaned_data)  # fmt: skip
        return f"{self.object.key} {workflow.VERBS[self.object.status]}."


class CommentCreateView(ProjectObjectActionView):
    def act(self) -> str:
        form = CommentForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Write something before posting a comment.")
        services.comment_add(requirement=self.object, actor=self.request.user, body=form.cleaned_data["body"])
        return ""

    def get_success_url(self):
        return super().get_success_url() + "#discussion"


class CriterionCreateView(ProjectObjectActionView):
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


class RevisionDiffView(ProjectObjectDetailView):
    template_name = "requirements/revision_diff.html"

    def get_context_data(self, **kwargs):
        revisions = {r.number: r for r in self.object.revisions.all()}
        latest = self.object.revision
        a = query_number(self.request, "a", max(latest - 1, 1))
        b = query_number(self.request, "b", max(latest, 1))
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



class RequirementBulkView(ProjectMixin, generic.View):
    """POST from the list page's bulk bar; all-or-nothing, then back to the same filtered list."""

    http_method_names = ["post"]
    permission = WRITE

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


class KeyConverter:
    """<reqkey:key> matches "REQ-12" and hands the view the number 12."""

    regex = r"REQ-[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value[len(KEY_PREFIX) :])

    def to_url(self, value) -> str:
        return f"{KEY_PREFIX}{value}" if isinstance(value, int) else str(value)


register_converter(KeyConverter, "reqkey")


@register
class RequirementKit(ModelKit):
    model = Requirement
    path = ""
    lookup_field, lookup_converter, lookup_url_kwarg = "number", "reqkey", "key"
    form_class = RequirementForm
    filterset_class = RequirementFilterSet
    table_class = RequirementTable
    serializer_class = RequirementSerializer
    viewset_class = RequirementViewSet
    admin_class = RequirementAdmin
    pages = {
        "list": RequirementListView, "detail": RequirementDetailView, "create": RequirementCreateView,
        "requirement_tree": Page(RequirementTreeView, "tree/"),
        "requirement_options": Page(RequirementOptionsView, "options/"),
        "requirement_bulk": Page(RequirementBulkView, "bulk/"),
        "requirement_export": Page(RequirementExportView, "export/"),
        "requirement_import": Page(RequirementImportView, "import/"),
        "requirement_transition": Page(RequirementTransitionView, "transition/", detail=True),
        "comment_create": Page(CommentCreateView, "comments/", detail=True),
        "revision_diff": Page(RevisionDiffView, "revisions/diff/", detail=True),
        "criterion_create": Page(CriterionCreateView, "criteria/", detail=True),
        "criterion_update": Page(CriterionUpdateView, "criteria/<int:pk>/", detail=True),
        "criterion_move": Page(CriterionMoveView, "criteria/<int:pk>/move/", detail=True),
        "criterion_delete": Page(CriterionDeleteView, "criteria/<int:pk>/delete/", detail=True),
    }  # fmt: skip

    def queryset(self, *, project):
        return selectors.requirement_list(project=project)

    def create(self, *, project, actor, values):
        return services.requirement_create(project=project, actor=actor, **values)

    def update(self, *, instance, actor, values):
        return services.requirement_update(requirement=instance, actor=actor, **values)

    def delete(self, *, instance, actor):
        services.requirement_delete(requirement=instance, actor=actor)


@register
class LabelKit(ModelKit):
    """Labels: the whole of their pages, API, filters and admin. Deleting one unlabels requirements."""

    model = Label
    path = "labels"
    fields = ["name", "description"]
    search = ["name", "description"]
    markdown = ["description"]
    empty_text = "Labels group requirements (security, psd2 …). Add them here, or while writing a requirement."
    columns = ["name", "description", Column("used", "Requirements", classes="text-end", cell=(
        '<a href="{% url \'requirements:requirement_list\' project.slug %}?label={{ row.name|urlencode }}">'
        "{{ row.used }}</a>"))]  # fmt: skip

    def queryset(self, *, project):
        return Label.objects.filter(project=project).annotate(used=Count("requirements"))
