"""Routes nested under one requirement (its RequirementViewSet is the kit's, in apps.requirements.views)."""

from django.urls import path

from .views import CommentViewSet, CriterionViewSet, RevisionViewSet, TransitionViewSet

base = "projects/<slug:project_slug>/requirements/<reqkey:key>"
criteria = CriterionViewSet.as_view({"get": "list", "post": "create"})
criterion = CriterionViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    path(f"{base}/criteria/", criteria, name="requirement-criteria"),
    path(f"{base}/criteria/<int:pk>/", criterion, name="requirement-criterion"),
    path(f"{base}/revisions/", RevisionViewSet.as_view({"get": "list"}), name="requirement-revisions"),
    path(f"{base}/revisions/diff/", RevisionViewSet.as_view({"get": "diff"}), name="requirement-revision-diff"),
    path(f"{base}/transitions/", TransitionViewSet.as_view({"get": "list"}), name="requirement-transitions"),
    path(f"{base}/comments/", CommentViewSet.as_view({"get": "list", "post": "create"}), name="requirement-comments"),
]
