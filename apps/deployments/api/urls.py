"""Deployment endpoints that are not one model's CRUD: the CI providers' webhooks, the release gate, DORA."""

from django.urls import path

from ..webhooks import GitHubWebhookView, GitLabWebhookView
from .dora import DoraDrillDownView, DoraView
from .gates import GateCheckView

urlpatterns = [
    path("projects/<slug:project_slug>/webhooks/github/", GitHubWebhookView.as_view(), name="webhook-github"),
    path("projects/<slug:project_slug>/webhooks/gitlab/", GitLabWebhookView.as_view(), name="webhook-gitlab"),
    path("projects/<slug:project_slug>/gates/check/", GateCheckView.as_view(), name="gate-check"),
    path("projects/<slug:project_slug>/dora/", DoraView.as_view(), name="dora"),
    path("projects/<slug:project_slug>/dora/drill-down/", DoraDrillDownView.as_view(), name="dora-drill-down"),
]
