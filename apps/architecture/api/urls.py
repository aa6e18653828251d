"""Architecture endpoints that are not one model's CRUD (the kits' viewsets are registered by core):
the catalog import/export and the diagrams generated from the model."""

from django.urls import path

from .views import CatalogExportView, CatalogImportView, ComponentDiagramView, LandscapeDiagramView, SystemDiagramView

base = "projects/<slug:project_slug>"

urlpatterns = [
    path(f"{base}/catalog/import/", CatalogImportView.as_view(), name="catalog-import"),
    path(f"{base}/catalog/export/", CatalogExportView.as_view(), name="catalog-export"),
    path(f"{base}/diagrams/landscape/", LandscapeDiagramView.as_view(), name="diagram-landscape"),
    path(f"{base}/diagrams/system/<archkey:key>/", SystemDiagramView.as_view(), name="diagram-system"),
    path(f"{base}/diagrams/component/<archkey:key>/", ComponentDiagramView.as_view(), name="diagram-component"),
]
