"""One JSON error shape for every API failure.

    {"status": 400, "code": "invalid", "detail": "Invalid input.", "errors": {"slug": ["..."]}}

``errors`` is present for validation failures; field-less problems sit under "non_field_errors".
Django's own ValidationError, Http404 and PermissionDenied raised by services and the permission
layer are translated here, so views never catch them one by one.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.services import Conflict


def django_errors_to_dict(error: DjangoValidationError) -> dict:
    """{"field": ["message", ...]} from a Django ValidationError; "__all__" becomes non_field_errors."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [m for e in errs for m in e.messages]
            for field, errs in error.error_dict.items()
        }
    return {"non_field_errors": list(error.messages)}


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Another change got there first; nothing was saved. Try again."


class RequestTooLarge(exceptions.APIException):
    """413: raised on Content-Length by the endpoints (apps.core.api.views.BodyLimitMixin), or here when
    Django refuses a body while it is read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is larger than the server reads (DATA_UPLOAD_MAX_MEMORY_SIZE)."


# PostgreSQL's "deadlock detected" and "could not serialize": a race lost, safe to retry.
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def _lost_race(exc) -> bool:
    if isinstance(exc, Conflict):
        return True
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def exception_handler(exc, context):
    if _lost_race(exc):
        exc = ConflictError(str(exc) if isinstance(exc, Conflict) else None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors_to_dict(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    # Django refuses these while DRF reads the body; left alone they'd be Django's HTML 400 page.
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(f"Too many form fields or files: {exc}")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    _render_as_json(context.get("request"))
    body = {"status": response.status_code, "code": "error", "detail": ""}
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body.update(code="invalid", detail="Invalid input.", errors=data)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else "error"
        body["detail"] = str(exc.detail)
    response.data = body
    return response


def _render_as_json(request) -> None:
    """An error is JSON even where the answer would have been a file: a CSV export's renderer would print
    the error's dict. (The browsable API's HTML keeps its own error page.)"""
    renderer = getattr(request, "accepted_renderer", None)
    if request is not None and (renderer is None or renderer.media_type not in ("application/json", "text/html")):
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type


def json_error(status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"status": status_code, "code": code, "detail": detail}, status=status_code)


@csrf_exempt  # it changes nothing; without this a POST to an unknown path would get an HTML CSRF 403
def api_not_found(request, exception=None, **kwargs):
    # Also the catch-all view for unknown /api/ paths, which passes the unmatched rest as a kwarg.
    return json_error(status.HTTP_404_NOT_FOUND, "Not found.", "not_found")


def api_server_error(request):
    return json_error(status.HTTP_500_INTERNAL_SERVER_ERROR, "Server error.", "server_error")


def server_error(request):
    """handler500: the JSON shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)


__all__ = ["exception_handler", "api_not_found", "api_server_error", "server_error", "Response"]
