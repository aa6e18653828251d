from django.urls import path, register_converter

from . import views
from .models import KEY_PREFIX


class KeyConverter:
    """<reqkey:number> matches "REQ-12" and hands the view the number 12."""

    regex = r"REQ-[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value[len(KEY_PREFIX) :])

    def to_url(self, value) -> str:
        return f"{KEY_PREFIX}{value}" if isinstance(value, int) else str(value)


register_converter(KeyConverter, "reqkey")

app_name = "requirements"

urlpatterns = [
    path("", views.RequirementListView.as_view(), name="requirement_list"),
    path("new/", views.RequirementCreateView.as_view(), name="requirement_create"),
    path("tree/", views.RequirementTreeView.as_view(), name="requirement_tree"),
    path("bulk/", views.RequirementBulkView.as_view(), name="requirement_bulk"),
    path("export/", views.RequirementExportView.as_view(), name="requirement_export"),
    path("import/", views.RequirementImportView.as_view(), name="requirement_import"),
    path("<reqkey:number>/", views.RequirementDetailView.as_view(), name="requirement_detail"),
    path("<reqkey:number>/edit/", views.RequirementUpdateView.as_view(), name="requirement_update"),
    path("<reqkey:number>/delete/", views.RequirementDeleteView.as_view(), name="requirement_delete"),
    path(
        "<reqkey:number>/transition/",
        views.RequirementTransitionView.as_view(),
        name="requirement_transition",
    ),
    path("<reqkey:number>/comments/", views.CommentCreateView.as_view(), name="comment_create"),
    path("<reqkey:number>/revisions/diff/", views.RevisionDiffView.as_view(), name="revision_diff"),
    path("<reqkey:number>/criteria/", views.CriterionCreateView.as_view(), name="criterion_create"),
    path("<reqkey:number>/criteria/<int:pk>/", views.CriterionUpdateView.as_view(), name="criterion_update"),
    path("<reqkey:number>/criteria/<int:pk>/move/", views.CriterionMoveView.as_view(), name="criterion_move"),
    path(
        "<reqkey:number>/criteria/<int:pk>/delete/",
        views.CriterionDeleteView.as_view(),
        name="criterion_delete",
    ),
]
