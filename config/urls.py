from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView

from apps.core import registry
from apps.core.api.errors import api_not_found
from apps.core.health import healthz, status_page

admin.site.site_header = admin.site.site_title = "Threadline administration"
admin.site.index_title = "Data"

# Domain apps are mounted from the registry (apps.core.registry): a new app edits nothing here.
api_v1 = [path("", include("apps.projects.api.urls")), *registry.api_urlpatterns()]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:project_list", permanent=False), name="home"),
    path("healthz", healthz, name="healthz"),
    path("status/", status_page, name="status"),
    path("favicon.ico", RedirectView.as_view(url="/static/img/threadline.svg", permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("apps.accounts.urls")),
    path("projects/", include("apps.projects.urls")),
    *registry.project_urlpatterns(),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI inside Threadline's own layout, started by a static script (no inline script: CSP).
    path("api/docs/", TemplateView.as_view(template_name="api_docs.html"), name="api_docs"),
    path("api/<path:rest>", api_not_found),
]

handler500 = "apps.core.api.errors.server_error"
