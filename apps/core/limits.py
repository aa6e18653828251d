"""Request size limits, checked on Content-Length before anything reads (or spools) the body.

Django reads a POST body as soon as anything asks for ``request.POST`` — the CSRF check does, for
every form — and writes file parts over 2.5 MB to a temporary file. So the limit has to be told
before that: this middleware refuses an oversized body with 413 at once. Pages take at most
``PAGE_MAX_REQUEST_BYTES`` (a CSV import is 10 MB); the API at most the largest of its endpoints'
limits (report uploads), and each API endpoint checks its own, smaller one (apps.core.api.views).
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse


def body_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        limit = settings.API_MAX_UPLOAD_BYTES if api else settings.PAGE_MAX_REQUEST_BYTES
        if body_length(request) <= limit:
            return self.get_response(request)
        detail = f"The request body is larger than the {limit // 2**20} MB limit; nothing was read."
        if api:
            return JsonResponse({"status": 413, "code": "too_large", "detail": detail}, status=413)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
