"""Data-model pages: a model's versions, one version's ERD and tables, the upload form, the DBML
export and the breaking-change diff of any two versions. Writes go through services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from apps.core.forms import add_service_errors
from apps.core.permissions import WRITE
from apps.core.views import ProjectObjectDetailView, query_number

from . import schema as schema_engine
from . import services
from .forms import SchemaUploadForm
from .models import DataModelVersion

# The ERD of a large schema shows this many tables unless a filter narrows it down.
ERD_MAX_TABLES = 40


def erd_context(version: DataModelVersion, request) -> dict:
    """The version's ERD, narrowed by ``?tables=`` (names, comma-separated) or ``?q=`` (a substring)."""
    schema = schema_engine.Schema.from_dict(version.schema)
    names = [t.strip() for t in request.GET.get("tables", "").split(",") if t.strip()]
    text = request.GET.get("q", "").strip().lower()
    chosen = set(names) or None
    if chosen is None and text:
        chosen = {t.qualified_name for t in schema.tables if text in t.qualified_name.lower()}
    mermaid, shown, truncated = schema_engine.erd_mermaid(schema, tables=chosen, max_tables=ERD_MAX_TABLES)
    return {"erd": mermaid, "erd_shown": shown, "erd_truncated": truncated, "erd_total": len(schema.tables),
            "schema": schema, "erd_filter": request.GET.get("tables", "") or request.GET.get("q", "")}  # fmt: skip


class DataModelMixin:
    def versions(self):
        return self.object.versions.select_related("author").order_by("-number")

    def version(self, number) -> DataModelVersion:
        return get_object_or_404(self.object.versions.select_related("author"), number=number)


class DataModelDetailView(DataModelMixin, ProjectObjectDetailView):
    template_name = "architecture/datamodel_detail.html"

    def get_context_data(self, **kwargs):
        versions = list(self.versions())
        context = {"versions": versions}
        if versions:
            context.update(erd_context(versions[0], self.request), latest=versions[0])
        return super().get_context_data(**context, **kwargs)


class VersionDetailView(DataModelMixin, ProjectObjectDetailView):
    template_name = "architecture/datamodel_version.html"

    def get_context_data(self, **kwargs):
        version = self.version(self.kwargs["number"])
        previous = self.object.versions.filter(number__lt=version.number).order_by("-number").first()
        return super().get_context_data(version=version, previous=previous, **erd_context(version, self.request),
                                        **kwargs)  # fmt: skip


class VersionDbmlView(DataModelMixin, ProjectObjectDetailView):
    """The version as DBML (dbdiagram.io's language), whatever it was uploaded as."""

    def render_to_response(self, context, **response_kwargs):
        version = self.version(self.kwargs["number"])
        text = schema_engine.export_dbml(schema_engine.Schema.from_dict(version.schema))
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.object.key}-v{version.number}.dbml"'
        return response


class VersionCreateView(DataModelMixin, ProjectObjectDetailView):
    """Upload a new version (a file or pasted text): parsed at once, refused whole with the line at fault."""

    permission = WRITE
    template_name = "architecture/datamodel_upload.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", SchemaUploadForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = SchemaUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.data_model_version_add(
                    data_model=self.object, actor=request.user, text=data["source"], format=data["format"],
                    dialect=data["dialect"], label=data["label"])  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                verdict = "breaking changes against the previous version" if version.breaking else "no breaking changes"
                first = version.breaking is None
                messages.success(request, f"Version {version.number} saved: {version.tables} tables"
                                          + ("." if first else f", {verdict}."))  # fmt: skip
                return HttpResponseRedirect(self._version_url(version))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _version_url(self, version) -> str:
        return reverse("architecture:datamodel_version",
                       kwargs={"project_slug": self.project.slug, "key": self.object.key, "number": version.number})


class DataModelDiffView(DataModelMixin, ProjectObjectDetailView):
    """The changes between two versions (``?base=&revision=``, version numbers), breaking first."""

    template_name = "architecture/datamodel_diff.html"

    def get_context_data(self, **kwargs):
        versions = list(self.versions())
        if len(versions) < 2:
            return super().get_context_data(versions=versions, diff=None, **kwargs)
        revision = query_number(self.request, "revision", versions[0].number)
        base = query_number(self.request, "base", revision - 1 if revision > 1 else versions[-1].number)
        by_number = {v.number: v for v in versions}
        if base not in by_number or revision not in by_number:
            raise Http404("No such version.")
        diff = services.data_model_diff(base=by_number[base], revision=by_number[revision])
        return super().get_context_data(versions=versions, base=by_number[base], revision=by_number[revision],
                                        diff=diff, **kwargs)  # fmt: skip
