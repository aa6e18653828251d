"""Test-run routes that are not a kit's model (runs and tests are, in apps.testruns.views)."""

from django.urls import path

from .views import FlakyTestViewSet

urlpatterns = [
    path("projects/<slug:project_slug>/flaky-tests/", FlakyTestViewSet.as_view({"get": "list"}),
         name="flakytest-list"),  # fmt: skip
]
