"""The DRF side of the one permission layer: every project-scoped endpoint subclasses these."""

from django.conf import settings
from rest_framework import permissions, viewsets
from rest_framework.views import APIView

from apps.core.api.errors import RequestTooLarge
from apps.core.limits import body_length
from apps.core.models import stable_order
from apps.core.permissions import MANAGE, READ, WRITE, ProjectAccess, project_access


def request_token(request):
    """The ApiToken the request authenticated with, or None for session auth."""
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "restricts_projects") else None


class TokenScopePermission(permissions.BasePermission):
    """A read-only token may only read, wherever it is used."""

    message = "This API token is read-only."

    def has_permission(self, request, view):
        token = request_token(request)
        return token is None or not token.read_only or request.method in permissions.SAFE_METHODS


# What each standard viewset action needs. ``metadata`` is OPTIONS.
ACTION_ROLES = {
    "list": READ, "retrieve": READ, "metadata": READ,
    "create": WRITE, "update": WRITE, "partial_update": WRITE,
    "destroy": MANAGE,
}  # fmt: skip


class ActionRoleMixin:
    """The role a viewset action needs: the viewset's ``action_roles``, then ACTION_ROLES; an extra
    action named in neither needs READ if it only reads (GET) and WRITE otherwise."""

    action_roles: dict[str, str] = {}

    def required_role(self) -> str:
        roles = {**ACTION_ROLES, **self.action_roles}
        if self.action in roles:
            return roles[self.action]
        return READ if self.request.method in permissions.SAFE_METHODS else WRITE


class BodyLimitMixin:
    """An API endpoint reads at most ``max_request_bytes()``: checked on Content-Length before
    anything reads the body, so an oversized upload is refused at once (413), not spooled first."""

    def max_request_bytes(self) -> int:
        return settings.API_MAX_REQUEST_BYTES

    def initial(self, request, *args, **kwargs):
        limit = self.max_request_bytes()
        if body_length(request) > limit:
            raise RequestTooLarge(f"The request body is larger than this endpoint's limit ({limit // 2**20} MB).")
        super().initial(request, *args, **kwargs)


class ProjectScopedMixin(ActionRoleMixin, BodyLimitMixin):
    """Resolves ``project_slug`` from the URL through ``project_access``: outsiders 404, short roles 403.

    The role an action needs comes from ``action_roles`` (the viewset's own), then ACTION_ROLES;
    an extra action named in neither needs READ if it only reads (GET) and WRITE otherwise.
    Querysets are the project's rows only: ``scoped_queryset()`` (the kit's, by default), with the
    schema generator's project-less pass answered here once.
    """

    filtered_actions: tuple[str, ...] = ("list",)  # actions the FilterSet applies to
    project_url_kwarg = "project_slug"
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]
    kit = None  # set on the viewsets core makes for a ModelKit

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access: ProjectAccess = project_access(
            request.user,
            kwargs[self.project_url_kwarg],
            token=request_token(request),
            minimum=self.required_role(),
        )
        self.project = self.access.project

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading types: no request, no project
            return self.schema_model()._default_manager.none()
        return stable_order(self.scoped_queryset())

    def scoped_queryset(self):
        if self.kit is not None:
            return self.kit.queryset(project=self.project)
        return super().get_queryset().filter(project=self.project)

    def schema_model(self):
        if self.kit is not None:
            return self.kit.model
        if getattr(self, "queryset", None) is not None:
            return self.queryset.model
        return self.get_serializer_class().Meta.model

    def filter_queryset(self, queryset):
        # The model's filters apply to its list: an object, or another action's rows, ignore them.
        return super().filter_queryset(queryset) if self.action in self.filtered_actions else queryset

    def perform_destroy(self, instance):
        # A kit's rows are deleted through its service (change log, counters); others the DRF way.
        if self.kit is None:
            return super().perform_destroy(instance)
        self.kit.delete(instance=instance, actor=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "project"):
            context.update(project=self.project, access=self.access)
        return context


class ProjectModelViewSet(ProjectScopedMixin, viewsets.ModelViewSet):
    """CRUD on a kit's model (apps.core.kit): writes through the kit's services."""

    def perform_create(self, serializer):
        serializer.instance = self.kit.create(
            project=self.project, actor=self.request.user, values=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = self.kit.update(
            instance=serializer.instance, actor=self.request.user, values=dict(serializer.validated_data)
        )


class ProjectAPIView(ProjectScopedMixin, APIView):
    """A project endpoint that is not one model's CRUD (an import, a report, a check); the role it needs
    comes from ``action_roles`` keyed by the HTTP method ({"get": READ, "post": WRITE})."""

    def initial(self, request, *args, **kwargs):
        self.action = request.method.lower()
        super().initial(request, *args, **kwargs)


class ProjectReadOnlyViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Reads of a kit's model (or of ``queryset``) in one project."""
