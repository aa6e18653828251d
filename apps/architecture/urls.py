"""Architecture pages that belong to no one model: the overview (landscape diagram and model health)
and the catalog and decision-record imports and exports. The models' own pages come from their kits."""

from django.http import HttpResponse
from django.urls import path, reverse
from django.views import generic

from apps.core.views import ProjectImportView, ProjectMixin

from . import selectors, transfer
from .forms import AdrUploadForm, CatalogUploadForm
from .models import Component, DataModel, Decision, Document, Relation, System


class ArchitectureOverviewView(ProjectMixin, generic.TemplateView):
    template_name = "architecture/overview.html"

    def get_context_data(self, **kwargs):
        project = self.project
        counts = {"components": Component.objects.filter(project=project).count(),
                  "systems": System.objects.filter(project=project).count(),
                  "relations": Relation.objects.filter(project=project).count(),
                  "documents": Document.objects.filter(project=project).count(),
                  "data_models": DataModel.objects.filter(project=project).count(),
                  "decisions": Decision.objects.filter(project=project).count()}  # fmt: skip
        return super().get_context_data(
            counts=counts, health=selectors.health_counts(project=project) if counts["components"] else [],
            diagram=selectors.landscape_diagram(project=project) if counts["components"] else None,
            recent_decisions=Decision.objects.filter(project=project).order_by("-updated_at")[:5],
            **kwargs)  # fmt: skip


class CatalogImportView(ProjectImportView):
    """Backstage catalog-info.yaml → preview (what would be created, updated, left; unknown references)
    → confirm → one all-or-nothing import."""

    template_name = "architecture/catalog_import.html"
    upload_form_class = CatalogUploadForm

    def read_upload(self, form):
        return form.cleaned_data["text"]

    def run_import(self, data, *, dry_run: bool):
        return transfer.catalog_import(project=self.project, actor=self.request.user, text=data, dry_run=dry_run)

    @property
    def success_url(self):
        return reverse("architecture:component_list", args=[self.project.slug])


class CatalogExportView(ProjectMixin, generic.View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(transfer.catalog_export(project=self.project), content_type="application/yaml")
        response["Content-Disposition"] = f'attachment; filename="{self.project.slug}-catalog-info.yaml"'
        return response


class DecisionImportView(ProjectImportView):
    template_name = "architecture/decision_import.html"
    upload_form_class = AdrUploadForm

    def read_upload(self, form):
        return form.cleaned_data["file"]

    def run_import(self, data, *, dry_run: bool):
        return transfer.decisions_import(project=self.project, actor=self.request.user, data=data, dry_run=dry_run)

    @property
    def success_url(self):
        return reverse("architecture:decision_list", args=[self.project.slug])


class DecisionExportView(ProjectMixin, generic.View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(transfer.decisions_export(project=self.project), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{self.project.slug}-decisions.zip"'
        return response


urlpatterns = [
    path("", ArchitectureOverviewView.as_view(), name="overview"),
    path("catalog/import/", CatalogImportView.as_view(), name="catalog_import"),
    path("catalog/export/", CatalogExportView.as_view(), name="catalog_export"),
    path("decisions/import/", DecisionImportView.as_view(), name="decision_import"),
    path("decisions/export/", DecisionExportView.as_view(), name="decision_export"),
]
