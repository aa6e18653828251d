"""The deployments API beyond the kits' reads: CI reports a deployment (create or, by external_id,
update), and asks what an environment runs now (the SHA to diff its changes from)."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.views import ProjectModelViewSet, ProjectScopedMixin
from apps.core.kit import kit_for
from apps.core.permissions import READ, WRITE

from .. import services
from ..models import Deployment
from .serializers import DeploymentReportSerializer, DeploymentSerializer


class DeploymentViewSet(ProjectScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):  # fmt: skip
    """Deployments of a project. CI reports them with POST (Bearer token)."""

    action_roles = {"create": WRITE}

    def max_request_bytes(self) -> int:
        return settings.DEPLOYMENTS_MAX_REPORT_BYTES

    @extend_schema(request=DeploymentReportSerializer, responses={201: DeploymentSerializer, 200: DeploymentSerializer})
    def create(self, request, *args, **kwargs):
        """Report a deployment. The same `external_id` again updates it (started, then finished): 200;
        a new one: 201. A new environment name creates the environment, its tier inferred from the name."""
        report = DeploymentReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        values = dict(report.validated_data)
        existed = bool(values.get("external_id")) and self.scoped_queryset().filter(
            external_id=values["external_id"]).exists()  # fmt: skip
        deployment = services.deployment_report(project=self.project, actor=request.user, values=values)
        deployment = self.get_queryset().get(pk=deployment.pk)
        body = DeploymentSerializer(deployment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class EnvironmentViewSet(ProjectModelViewSet):
    """Environments by slug; `current/` is what one runs now."""

    action_roles = {"current": READ}

    @extend_schema(responses=DeploymentSerializer)
    @action(detail=True, methods=["get"])
    def current(self, request, *args, **kwargs):
        """The environment's latest successful deployment (404 if none): CI diffs `git log <commit>..HEAD`."""
        deployment = services.current_deployment(environment=self.get_object())
        if deployment is None:
            raise Http404("Nothing was deployed here yet.")
        deployment = kit_for(Deployment).queryset(project=self.project).get(pk=deployment.pk)
        return Response(DeploymentSerializer(deployment, context=self.get_serializer_context()).data)
