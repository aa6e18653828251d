"""A URLconf with only the foundation's API, to lint its schema apart from the domain apps'."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include((include("apps.projects.api.urls")[0], "api")))]
