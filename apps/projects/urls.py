from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectCreateView.as_view(), name="project_create"),
    # Before the project's pages: "invitations" is a reserved slug (models.RESERVED_SLUGS).
    path("invitations/<str:token>/", views.InvitationView.as_view(), name="invitation_detail"),
    path("<slug:project_slug>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<slug:project_slug>/members/", views.MemberListView.as_view(), name="member_list"),
    path("<slug:project_slug>/members/leave/", views.ProjectLeaveView.as_view(), name="project_leave"),
    path("<slug:project_slug>/members/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("<slug:project_slug>/members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("<slug:project_slug>/members/invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(),
         name="invitation_revoke"),
    path("<slug:project_slug>/settings/", views.ProjectSettingsView.as_view(), name="project_settings"),
    path("<slug:project_slug>/settings/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
    path("<slug:project_slug>/activity/", views.ActivityListView.as_view(), name="activity_list"),
]
