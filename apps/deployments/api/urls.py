"""Deployment endpoints that are not one model's CRUD: the CI providers' webhooks."""

from django.urls import path

from ..webhooks import GitHubWebhookView, GitLabWebhookView

urlpatterns = [
    path("projects/<slug:project_slug>/webhooks/github/", GitHubWebhookView.as_view(), name="webhook-github"),
    path("projects/<slug:project_slug>/webhooks/gitlab/", GitLabWebhookView.as_view(), name="webhook-gitlab"),
]
