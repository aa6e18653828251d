"""API: projects, their members and their activity. Permissions come from apps.core's layer."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.core.api.views import ActionRoleMixin, BodyLimitMixin, ProjectScopedMixin, TokenScopePermission, request_token
from apps.core.filtersets import ObjectChangeFilterSet
from apps.core.permissions import ADMINISTER, MANAGE, READ, project_access

from .. import selectors, services
from ..filtersets import MembershipFilterSet, ProjectFilterSet
from .serializers import (
    MembershipCreateSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    ObjectChangeSerializer,
    ProjectSerializer,
)


class ProjectViewSet(ActionRoleMixin, BodyLimitMixin, viewsets.ModelViewSet):
    """Projects you belong to. Anyone signed in can create one and becomes its owner."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9-]+"
    action_roles = {"update": MANAGE, "partial_update": MANAGE, "destroy": ADMINISTER}

    def get_queryset(self):
        return selectors.project_list(user=self.request.user, token=request_token(self.request))

    def get_object(self):
        self.access = project_access(
            self.request.user, self.kwargs["slug"], token=request_token(self.request), minimum=self.required_role()
        )
        return self.access.project

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "access"):
            context["access"] = self.access
        elif self.action == "list" and self.request.user.is_authenticated:
            context["roles"] = dict(self.request.user.memberships.values_list("project_id", "role"))
        return context

    def perform_create(self, serializer):
        token = request_token(self.request)
        if token is not None and token.restricts_projects:
            raise PermissionDenied("This API token is limited to some projects and can't create new ones.")
        serializer.instance = services.project_create(actor=self.request.user, **serializer.validated_data)
        self.access = project_access(self.request.user, serializer.instance.slug)
        serializer.context["access"] = self.access  # the response shows the creator's role

    def perform_update(self, serializer):
        serializer.instance = services.project_update(
            project=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.project_delete(project=instance, actor=self.request.user)


class MembershipViewSet(ProjectScopedMixin, viewsets.ModelViewSet):
    """Members of a project. Maintainers and owners add, re-role and remove; anyone may leave."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_roles = {"create": MANAGE, "partial_update": MANAGE, "destroy": READ}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if "\x00" in kwargs.get(self.lookup_url_kwarg, ""):  # no username holds one (and PostgreSQL can't compare it)
            raise Http404("No such member.")

    def scoped_queryset(self):
        return selectors.membership_list(project=self.project)

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add(
            project=self.project, actor=request.user, access=self.access, **data.validated_data
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipRoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = MembershipRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=self.get_object(), actor=request.user, access=self.access, **data.validated_data
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        """Remove a member (maintainer/owner), or yourself (leave the project)."""
        services.membership_remove(membership=self.get_object(), actor=request.user, access=self.access)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityViewSet(ProjectScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The project's change log, newest first. Filter by object_type (app.model), actor, action, since."""

    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet

    def scoped_queryset(self):
        return selectors.activity_list(project=self.project)
