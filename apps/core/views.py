"""Generic server-rendered views. Domain apps subclass these with a few declarative lines.

Every project page goes through ProjectMixin, the UI side of the one permission layer:
anonymous users are sent to log in, outsiders get 404, short roles get 403.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views import generic

from .csvimport import MAX_BYTES, decode_csv
from .permissions import MANAGE, READ, WRITE, ProjectAccess, project_access
from .services import instance_delete, instance_save

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ProjectMixin(LoginRequiredMixin):
    """Resolves ``project_slug`` into ``self.project`` / ``self.access`` or refuses the request."""

    read_role = READ
    write_role = WRITE
    project_url_kwarg = "project_slug"
    # The app's read query from selectors.py, shared with the API: ``selector(project=...)``.
    # Set it with staticmethod(...) (or functools.partial) so it is not bound to the view.
    selector = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        minimum = self.read_role if request.method in SAFE_METHODS else self.write_role
        self.access: ProjectAccess = project_access(request.user, kwargs[self.project_url_kwarg], minimum=minimum)
        self.project = self.access.project
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.selector is not None:
            return self.selector(project=self.project)
        return super().get_queryset().filter(project=self.project)

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, access=self.access, **kwargs)


class FilteredListMixin:
    """A ListView filtered by the model's one FilterSet (the same class the API uses)."""

    filterset_class = None
    paginate_by = 50

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.filterset_class is None:
            return queryset
        self.filterset = self.get_filterset(queryset)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context

    def get_template_names(self):
        # htmx swaps only the results when filters change.
        if getattr(self.request, "htmx", False) and getattr(self, "partial_template_name", None):
            return [self.partial_template_name]
        return super().get_template_names()


class ProjectObjectListView(FilteredListMixin, ProjectMixin, generic.ListView):
    template_name = "generic/object_list.html"


class ProjectObjectDetailView(ProjectMixin, generic.DetailView):
    template_name = "generic/object_detail.html"


class ServiceFormMixin:
    """Form views whose save goes through a service. Override ``perform_save`` for domain rules."""

    success_message = "Saved."

    def perform_save(self, form):
        return instance_save(instance=form.instance, actor=self.request.user, m2m=self.m2m_values(form))

    def m2m_values(self, form) -> dict:
        names = {f.name for f in form.instance._meta.many_to_many}
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}

    def form_valid(self, form):
        try:
            self.object = self.perform_save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ProjectObjectCreateView(ProjectMixin, ServiceFormMixin, generic.CreateView):
    template_name = "generic/object_form.html"

    def get_queryset(self):
        return self.model.objects.filter(project=self.project)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(project=self.project)
        return kwargs


class ProjectObjectUpdateView(ProjectMixin, ServiceFormMixin, generic.UpdateView):
    template_name = "generic/object_form.html"


class ProjectObjectDeleteView(ProjectMixin, generic.DeleteView):
    template_name = "generic/object_confirm_delete.html"
    success_message = "Deleted."

    def perform_delete(self, obj):
        instance_delete(instance=obj, actor=self.request.user)

    def form_valid(self, form):
        self.perform_delete(self.object)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ProjectObjectActionView(ProjectMixin, generic.detail.SingleObjectMixin, generic.View):
    """A POST-only action on one object (a button): ``act()`` calls a service and returns the message.

    A ValidationError becomes an error message; either way the user goes back to the object.
    """

    http_method_names = ["post"]

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

    Subclasses set ``write_role`` and implement ``run_import(data, dry_run=)`` returning an
    apps.core.csvimport.ImportReport. Between preview and confirm the decoded upload waits in the
    cache (an hour) under a random token, so the file is not sent twice.
    """

    template_name = "generic/import.html"
    read_role = write_role = MANAGE
    columns: list[str] = []
    success_url = None

    def run_import(self, data, *, dry_run: bool):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", CsvUploadForm())
        return super().get_context_data(columns=self.columns, **kwargs)

    def post(self, request, *args, **kwargs):
        self.access.require(WRITE)  # archived projects take no imports, even from maintainers
        token = request.POST.get("token", "")
        if token:
            return self.confirm(token)
        form = CsvUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            data = decode_csv(form.cleaned_data["file"].read())
            report = self.run_import(data, dry_run=True)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
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
        messages.success(self.request, f"Imported: {report.created} created, {report.updated} updated.")
        return HttpResponseRedirect(self.success_url or self.request.path)

    def _cache_key(self, token: str) -> str:
        return f"import:{self.request.user.pk}:{self.project.pk}:{token}"
