"""The DRF side of the one permission layer: every project-scoped endpoint subclasses these."""

from rest_framework import permissions, viewsets

from apps.core.permissions import MANAGE, READ, WRITE, ProjectAccess, project_access
from apps.core.services import instance_delete


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


class ProjectScopedMixin:
    """Resolves ``project_slug`` from the URL through ``project_access``: outsiders 404, short roles 403.

    ``action_roles`` maps a viewset action to the role it needs; safe methods default to READ and
    unsafe ones to WRITE.
    """

    action_roles: dict[str, str] = {}
    project_url_kwarg = "project_slug"

    def required_role(self) -> str:
        if self.action in self.action_roles:
            return self.action_roles[self.action]
        return READ if self.request.method in permissions.SAFE_METHODS else WRITE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access: ProjectAccess = project_access(
            request.user,
            kwargs[self.project_url_kwarg],
            token=request_token(request),
            minimum=self.required_role(),
        )
        self.project = self.access.project

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "project"):
            context.update(project=self.project, access=self.access)
        return context


class ProjectModelViewSet(ProjectScopedMixin, viewsets.ModelViewSet):
    """CRUD on a project-scoped model. Subclasses set queryset, serializer_class, filterset_class."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]
    action_roles = {"destroy": MANAGE}

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(project=self.project)

    def perform_destroy(self, instance):
        instance_delete(instance=instance, actor=self.request.user)


class ProjectReadOnlyViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(project=self.project)
