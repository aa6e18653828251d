"""The OpenAPI schema tells every status an operation can answer, each error with the one error body.

``AutoSchema`` (the project's DEFAULT_SCHEMA_CLASS) adds to each operation, next to its own success
responses, the errors the layers under every view can give (apps.core.api.errors makes their body):

* 400 — a request body, query parameters (filters, ordering, paging) or a write a service refuses;
* 401 — every operation needs a token (or a session);
* 403 — writes (your role, a read-only token, an archived project), and reads needing more than READ;
* 404 — a path parameter names nothing you can see, or a page number past the end;
* 406 — an Accept header naming no media type the operation answers;
* 409 — a write lost a race with another one (apps.core.services.Conflict) or finds the object
  in the wrong state;
* 413 — a request body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE;
* 415 — a request body of a media type the operation doesn't read;
* 429 — an operation with throttles.

A view's own ``@extend_schema(responses=...)`` wins for a status it names.

A response field is typed nullable when it can answer null: its default is None (an annotation a
row may lack) or its source passes through a nullable model field (``created_by.username``).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

from apps.core.permissions import READ

SAFE_METHODS = set(permissions.SAFE_METHODS)


class ErrorSerializer(serializers.Serializer):
    """Every API error: {"status", "code", "detail", "errors"?}."""

    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="Machine-readable: invalid, not_authenticated, not_found, conflict …")
    detail = serializers.CharField(help_text="A sentence for people.")
    errors = serializers.DictField(
        required=False,
        help_text='Validation failures only: {"field": ["message", ...]}; field-less ones under "non_field_errors".',
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "Invalid input: see `errors`.",
    401: "No token, or an unknown, expired or revoked one.",
    403: "Your role, a read-only token or an archived project doesn't allow this.",
    404: "No such thing, or not yours to see.",
    406: "The Accept header names no media type this operation answers.",
    409: "Another change got there first, or the object is in a state that refuses this.",
    413: "The request body is too large.",
    415: "The request body's media type isn't one this operation reads.",
    429: "Too many requests: wait and retry.",
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self.error_statuses(operation):
            if str(code) not in responses:
                response = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[str(code)] = self._get_response_for_code(response, str(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    # A URL or email the model lets be blank answers "" — which no "uri"/"email" format accepts: the
    # format goes. Every field's schema passes here after its type is mapped (list and dict children too).
    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("format") in ("uri", "email") and may_be_blank(field):
            del schema["format"]

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and not meta.get("nullable") and may_be_null(field):
            meta["nullable"] = True
        return meta

    def error_statuses(self, operation) -> list[int]:
        writes = self.method not in SAFE_METHODS
        has_body = "requestBody" in operation
        query = any(p["in"] == "query" for p in operation.get("parameters", []))
        path_params = any(p["in"] == "path" for p in operation.get("parameters", []))
        codes = []
        if writes or has_body or query:
            codes.append(400)
        security = operation.get("security") or [{}]
        if {} not in security:  # no anonymous access
            codes.append(401)
        if writes or self._needs_more_than_read():
            codes.append(403)
        if path_params or query:  # an unknown object, or ?page= past the end
            codes.append(404)
        codes.append(406)
        if writes:
            codes.append(409)
        if has_body:
            codes += [413, 415]
        if getattr(self.view, "throttle_classes", None):
            codes.append(429)
        return codes

    def _needs_more_than_read(self) -> bool:
        required_role = getattr(self.view, "required_role", None)
        if required_role is None or getattr(self.view, "request", None) is None:
            return False
        try:
            return required_role() != READ
        except AttributeError:  # a view without an action (not a viewset)
            return False


def may_be_null(field) -> bool:
    """Whether a serializer field can answer null without saying so with allow_null."""
    if not isinstance(field, serializers.Field) or field.allow_null:
        return bool(getattr(field, "allow_null", False))
    if field.default is None:
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    for attr in getattr(field, "source_attrs", None) or []:
        try:
            model_field = model._meta.get_field(attr) if model is not None else None
        except FieldDoesNotExist:
            return False
        if model_field is None:
            return False
        if model_field.concrete and model_field.null:  # (a reverse relation says null=True too)
            return True
        model = model_field.related_model if model_field.is_relation else None
    return False


def may_be_blank(field) -> bool:
    """Whether a text field can answer "" (allow_blank, or a model field with blank=True behind it)."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None) if getattr(field, "parent", None) else None
    name = (getattr(field, "source_attrs", None) or [None])[-1]
    try:
        return bool(model is not None and name and model._meta.get_field(name).blank)
    except FieldDoesNotExist:
        return False
