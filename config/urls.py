from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.api.errors import api_not_found
from apps.core.health import healthz

admin.site.site_header = admin.site.site_title = "Threadline administration"
admin.site.index_title = "Data"

api_v1 = [
    path("", include("apps.projects.api.urls")),
    path("", include("apps.requirements.api.urls")),
    path("", include("apps.testruns.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:project_list", permanent=False), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("apps.accounts.urls")),
    path("projects/", include("apps.projects.urls")),
    path("projects/<slug:project_slug>/requirements/", include("apps.requirements.urls")),
    path("projects/<slug:project_slug>/test-runs/", include("apps.testruns.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/<path:rest>", api_not_found),
]

handler500 = "apps.core.api.errors.server_error"
