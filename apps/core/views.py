"""Generic server-rendered views. A kit (apps.core.kit) makes its pages from these; an app's own
pages are short declarative subclasses of them.

Every project page goes through ProjectMixin, the UI side of the one permission layer: anonymous
users are sent to log in, outsiders get 404, and a role below what the page's *action* needs gets
403 — on GET as well as POST, so a viewer never sees a form or a delete button they can't use.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.views import generic

from .csvimport import MAX_BYTES, decode_csv
from .forms import add_service_errors
from .models import ObjectChange, stable_order
from .permissions import MANAGE, READ, WRITE, ProjectAccess, project_access
from .services import Conflict
from .text import is_number


def query_number(request, name: str, default: int) -> int:
    """A whole number from the query string (``?a=3``); ``default`` when absent or not ASCII digits."""
    value = request.GET.get(name, "")
    return int(value) if is_number(value) else default


class ProjectMixin(LoginRequiredMixin):
    """Resolves ``project_slug`` into ``self.project`` / ``self.access`` or refuses the request.

    ``permission`` is the role the page's action needs (READ to look, WRITE to create or edit,
    MANAGE to delete …), whatever the HTTP method. A page serving two actions (a list with an
    "add" form) overrides ``required_role``.
    """

    permission = READ
    project_url_kwarg = "project_slug"
    kit = None  # the ModelKit whose page this is (set by the kit's URL patterns)
    # The app's read query from selectors.py, shared with the API: ``selector(project=...)``.
    # Set it with staticmethod(...) (or functools.partial) so it is not bound to the view.
    selector = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.kit is not None and getattr(self, "model", None) is None:
            self.model = self.kit.model

    def required_role(self) -> str:
        return self.permission

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access: ProjectAccess = project_access(
            request.user, kwargs[self.project_url_kwarg], minimum=self.required_role()
        )
        self.project = self.access.project
        try:
            return super().dispatch(request, *args, **kwargs)
        except Conflict as exc:  # a race lost to another write: say so, keep the user's place
            return render(request, "generic/conflict.html", {"message": str(exc), "project": self.project,
                                                             "access": self.access}, status=409)  # fmt: skip

    def get_queryset(self):
        if self.selector is not None:
            return self.selector(project=self.project)
        if self.kit is not None:
            return self.kit.queryset(project=self.project)
        return super().get_queryset().filter(project=self.project)

    def get_object(self, queryset=None):
        """One row of the project, found by the kit's lookup (``REQ-12`` → number 12, a pk …)."""
        if self.kit is None:
            return super().get_object(queryset)
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset, **{self.kit.lookup_field: self.kwargs[self.kit.lookup_url_kwarg]})

    def get_template_names(self):
        if self.template_name:
            return [self.template_name]
        opts, suffix = self.model._meta, self.template_name_suffix
        return [f"{opts.app_label}/{opts.model_name}{suffix}.html", f"generic/object{suffix}.html"]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("kit", self.kit)
        return super().get_context_data(project=self.project, access=self.access, **kwargs)

    def kit_url(self, page: str, instance=None) -> str:
        return self.kit.url(page, instance, project=self.project)


class FilteredListMixin:
    """A ListView filtered by the model's one FilterSet (the same class the API uses)."""

    filterset_class = None
    paginate_by = 50
    max_page_size = 500  # as the API's ?page_size=

    def get_paginate_by(self, queryset):
        size = self.request.GET.get("page_size", "")
        return min(int(size), self.max_page_size) if is_number(size) and int(size) > 0 else self.paginate_by

    def get_filterset_class(self):
        if self.filterset_class is None and getattr(self, "kit", None) is not None:
            return self.kit.filterset
        return self.filterset_class

    def get_filterset(self, queryset):
        return self.get_filterset_class()(self.request.GET or None, queryset=queryset, request=self.request)

    def get_queryset(self):
        queryset = stable_order(super().get_queryset())
        if self.get_filterset_class() is None:
            return queryset
        self.filterset = self.get_filterset(queryset)
        if not self.filterset.is_bound:
            return queryset
        # A filter value that doesn't parse matches nothing (the form shows why), as the API answers
        # 400 for it: never every row.
        return self.filterset.qs if self.filterset.is_valid() else queryset.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context

    def get_template_names(self):
        # htmx swaps only the results when filters change.
        if getattr(self.request, "htmx", False) and self.get_partial_template_name():
            return [self.get_partial_template_name()]
        return super().get_template_names()

    def get_partial_template_name(self):
        return getattr(self, "partial_template_name", None)


class ProjectObjectListView(FilteredListMixin, ProjectMixin, generic.ListView):
    """A list page: the kit's table, filtered by its FilterSet, sorted, paged, with an empty state."""

    table_class = None  # an apps.core.tables.Table; default: the kit's

    @cached_property
    def table(self):
        table = self.table_class.shared(self.model) if self.table_class else self.kit.table if self.kit else None
        return table.bind(access=self.access) if table is not None else None

    def get_partial_template_name(self):
        if getattr(self, "partial_template_name", None):
            return self.partial_template_name
        return self.table.template_name if self.table is not None else None

    def get_context_data(self, **kwargs):
        create_url = ""
        if self.kit is not None and self.kit.has_page("create") and self.access.can_write:
            create_url = self.kit_url("create")
        return super().get_context_data(table=self.table, create_url=create_url, **kwargs)


class ProjectObjectDetailView(ProjectMixin, generic.DetailView):
    """A detail page: the kit's fields, edit/delete buttons by role, and the object's history."""

    def get_context_data(self, **kwargs):
        context = {}
        if self.kit is not None:
            kit, can = self.kit, {"list": True, "update": self.access.can_write, "delete": self.access.can_manage}
            for page, allowed in can.items():
                shown = kit.has_page(page) and allowed
                context[f"{page}_url"] = self.kit_url(page, None if page == "list" else self.object) if shown else ""
            context["fields"] = [
                (self.model._meta.get_field(name), name in self.kit.markdown) for name in self.kit.fields
            ]
            context["object_changes"] = ObjectChange.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model), object_id=str(self.object.pk)
            )[:10]
        return super().get_context_data(**context, **kwargs)


class ServiceFormMixin:
    """Form views whose save goes through a service: the kit's, or ``perform_save`` of the view.

    The form only parses input; the service validates (the model's ``full_clean``, once) and its
    ValidationError comes back onto the form's fields.
    """

    success_message = "Saved."

    def get_form_class(self):
        if self.form_class is None and self.kit is not None:
            return self.kit.form
        return super().get_form_class()

    def form_values(self, form) -> dict:
        return dict(form.cleaned_data)

    def perform_save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.perform_save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ProjectObjectCreateView(ProjectMixin, ServiceFormMixin, generic.CreateView):
    permission = WRITE

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(project=self.project)
        return kwargs

    def perform_save(self, form):
        return self.kit.create(project=self.project, actor=self.request.user, values=self.form_values(form))

    @property
    def success_message(self):
        return f"{capfirst(self.model._meta.verbose_name)} created."


class ProjectObjectUpdateView(ProjectMixin, ServiceFormMixin, generic.UpdateView):
    permission = WRITE

    def perform_save(self, form):
        return self.kit.update(instance=form.instance, actor=self.request.user, values=self.form_values(form))


class ProjectObjectDeleteView(ProjectMixin, generic.DeleteView):
    permission = MANAGE

    def perform_delete(self, obj):
        self.kit.delete(instance=obj, actor=self.request.user)

    def form_valid(self, form):
        self.perform_delete(self.object)
        messages.success(self.request, f"Deleted {self.object}.")
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return self.kit_url("list")


class ProjectObjectActionView(ProjectMixin, generic.detail.SingleObjectMixin, generic.View):
    """A POST-only action on one object (a button): ``act()`` calls a service and returns the message.

    A ValidationError becomes an error message; either way the user goes back to the object.
    """

    http_method_names = ["post"]
    permission = WRITE

    def act(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            text = self.act()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if text:
                messages.success(request, text)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text=f"UTF-8 (or Windows-1252) CSV, at most {MAX_BYTES // 2**20} MB."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            limit = MAX_BYTES // 1024
            raise ValidationError(f"The file is {upload.size // 1024} KB; the limit is {limit} KB.")
        return upload


class ProjectImportView(ProjectMixin, generic.TemplateView):
    """Upload a CSV → dry-run preview with row errors → confirm → one all-or-nothing import.

    Subclasses implement ``run_import(data, dry_run=)`` returning an
    apps.core.csvimport.ImportReport. Between preview and confirm the decoded upload waits in the
    cache (an hour) under a random token, so the file is not sent twice.
    """

    template_name = "generic/import.html"
    permission = MANAGE
    columns: list[str] = []
    success_url = None
    upload_form_class = CsvUploadForm  # another file kind: its form, and ``read_upload`` below

    def run_import(self, data, *, dry_run: bool):
        raise NotImplementedError

    def read_upload(self, form):
        """The uploaded file as ``run_import`` takes it (kept in the cache between preview and confirm)."""
        return decode_csv(form.cleaned_data["file"].read())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.upload_form_class())
        return super().get_context_data(columns=self.columns, **kwargs)

    def post(self, request, *args, **kwargs):
        self.access.require(WRITE)  # archived projects take no imports, even from maintainers
        token = request.POST.get("token", "")
        if token:
            return self.confirm(token)
        form = self.upload_form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            data = self.read_upload(form)
            report = self.run_import(data, dry_run=True)
        except ValidationError as exc:
            form.add_error(None if "file" not in form.fields else "file", exc.messages)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        token = uuid.uuid4().hex if report.ok else ""
        if token:
            cache.set(self._cache_key(token), data, 3600)
        return self.render_to_response(self.get_context_data(report=report, token=token))

    def confirm(self, token: str):
        data = cache.get(self._cache_key(token))
        if data is None:
            messages.error(self.request, "That preview has expired; upload the file again.")
            return HttpResponseRedirect(self.request.path)
        try:
            report = self.run_import(data, dry_run=False)
        except ValidationError as exc:
            report = None
            messages.error(self.request, " ".join(exc.messages))
        if report is None or not report.ok:
            return self.render_to_response(self.get_context_data(report=report), status=400)
        cache.delete(self._cache_key(token))
        messages.success(self.request, f"Imported: {report.created} created, {report.updated} updated, "
                                       f"{report.unchanged} unchanged.")
        return HttpResponseRedirect(self.success_url or self.request.path)

    def _cache_key(self, token: str) -> str:
        return f"import:{self.request.user.pk}:{self.project.pk}:{token}"
