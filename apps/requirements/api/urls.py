from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CommentViewSet, CriterionViewSet, RequirementViewSet, RevisionViewSet, TransitionViewSet

router = SimpleRouter()
router.register(r"projects/(?P<project_slug>[a-z0-9-]+)/requirements", RequirementViewSet, basename="requirement")

base = "projects/<slug:project_slug>/requirements/<str:key>"
criteria = CriterionViewSet.as_view({"get": "list", "post": "create"})
criterion = CriterionViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = router.urls + [
    path(f"{base}/criteria/", criteria, name="requirement-criteria"),
    path(f"{base}/criteria/<int:pk>/", criterion, name="requirement-criterion"),
    path(f"{base}/revisions/", RevisionViewSet.as_view({"get": "list"}), name="requirement-revisions"),
    path(f"{base}/revisions/diff/", RevisionViewSet.as_view({"get": "diff"}), name="requirement-revision-diff"),
    path(f"{base}/transitions/", TransitionViewSet.as_view({"get": "list"}), name="requirement-transitions"),
    path(
        f"{base}/comments/",
        CommentViewSet.as_view({"get": "list", "post": "create"}),
        name="requirement-comments",
    ),
]
