from django.urls import path
from rest_framework.routers import SimpleRouter

from .invitations import InvitationViewSet
from .views import ActivityViewSet, MembershipViewSet, ProjectViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")

member_list = MembershipViewSet.as_view({"get": "list", "post": "create"})
invitation_list = InvitationViewSet.as_view({"get": "list", "post": "create"})
invitation_detail = InvitationViewSet.as_view({"get": "retrieve", "delete": "destroy"})
member_detail = MembershipViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = router.urls + [
    path("projects/<slug:project_slug>/members/", member_list, name="member-list"),
    path("projects/<slug:project_slug>/members/<str:username>/", member_detail, name="member-detail"),
    path("projects/<slug:project_slug>/invitations/", invitation_list, name="invitation-list"),
    path("projects/<slug:project_slug>/invitations/<int:invitation_id>/", invitation_detail, name="invitation-detail"),
    path(
        "projects/<slug:project_slug>/activity/",
        ActivityViewSet.as_view({"get": "list"}),
        name="activity-list",
    ),
]
