"""Tags every write made while serving a request with the door it came through (ui, api or admin)."""

from .changelog import change_source


class ChangeSourceMiddleware:
    """Sets the change log's ``via`` for the whole request, so services never need to be told."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/"):
            via = "api"
        elif path.startswith("/admin/"):
            via = "admin"
        else:
            via = "ui"
        with change_source(via):
            return self.get_response(request)


class HealthzMiddleware:
    """Answers /healthz before host validation: container health checks call 127.0.0.1, which a
    production ALLOWED_HOSTS rightly does not list. Must come first in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from .health import healthz

            return healthz(request)
        return self.get_response(request)
