"""The deployments API beyond the kits' reads: CI reports a deployment (create or, by external_id,
update), and asks what an environment runs now (the SHA to diff its changes from)."""

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api.serializers import query_values
from apps.core.api.views import ProjectModelViewSet, ProjectScopedMixin
from apps.core.kit import kit_for
from apps.core.permissions import READ, WRITE

from .. import selectors, services
from ..models import Deployment
from ..receivers import alertmanager
from ..receivers.alertmanager import ACTIONS
from ..receivers.report import IncidentEvent, ReportError
from .serializers import (
    CompareQuerySerializer,
    CompareSerializer,
    DeploymentReportSerializer,
    DeploymentSerializer,
    IncidentAlertSerializer,
    IncidentSerializer,
)


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
    """Environments by slug; `current/` is what one runs now, `compare/` what one has that another lacks."""

    action_roles = {"current": READ, "compare": READ}

    @extend_schema(parameters=[CompareQuerySerializer], responses=CompareSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def compare(self, request, *args, **kwargs):
        """What `head` runs that `base` doesn't ("what is in staging that is not in production"): the commits
        between them with their test runs, the requirements they name, the contract changes (breaking first)."""
        query = query_values(CompareQuerySerializer, request)
        environments = {e.slug: e for e in self.scoped_queryset().filter(slug__in=[query["base"], query["head"]])}
        missing = {name: [f"No environment '{query[name]}' in this project."] for name in ("base", "head")
                   if query[name] not in environments}  # fmt: skip
        if missing:
            raise ValidationError(missing)
        found = selectors.compare_environments(project=self.project, base=environments[query["base"]],
                                               head=environments[query["head"]])  # fmt: skip
        deployments = kit_for(Deployment).queryset(project=self.project)
        context = self.get_serializer_context()
        current = {side: DeploymentSerializer(deployments.get(pk=d.pk), context=context).data if d else None
                   for side, d in found["current"].items()}  # fmt: skip
        build = request.build_absolute_uri
        body = {
            "base": query["base"], "head": query["head"], "base_current": current["base"],
            "head_current": current["head"], "ahead_count": found["ahead_count"], "behind_count": found["behind_count"],
            "changes": [{"sha": c.sha, "message": c.message, "author": c.author, "committed_at": c.committed_at,
                         "pr_number": c.pr_number, "test_runs": [
                             {"number": r.number, "status": r.status, "failed": r.failed, "errors": r.errors,
                              "web_url": build(r.get_absolute_url())} for r in c.test_runs]}
                        for c in found["changes"]],
            "requirements": [{"key": r.key, "title": r.title, "status": r.status} for r in found["requirements"]],
            "contracts": [{"contract": e["contract"].slug, "base_version": e["base"].pk if e["base"] else None,
                           "head_version": e["head"].pk if e["head"] else None, "breaking": e["breaking"],
                           "changes": e["changes"]} for e in found["contracts"]],
        }  # fmt: skip
        return Response(body)

    @extend_schema(responses=DeploymentSerializer)
    @action(detail=True, methods=["get"])
    def current(self, request, *args, **kwargs):
        """The environment's latest successful deployment (404 if none): CI diffs `git log <commit>..HEAD`."""
        deployment = services.current_deployment(environment=self.get_object())
        if deployment is None:
            raise Http404("Nothing was deployed here yet.")
        deployment = kit_for(Deployment).queryset(project=self.project).get(pk=deployment.pk)
        return Response(DeploymentSerializer(deployment, context=self.get_serializer_context()).data)


class IncidentViewSet(ProjectModelViewSet):
    """Incidents. POST opens one; with `status` (firing/resolved) and `external_id` it is an alerting
    tool's event, and an Alertmanager webhook body (`alerts: [...]`) is read as its alerts."""

    def max_request_bytes(self) -> int:
        return settings.DEPLOYMENTS_MAX_REPORT_BYTES

    @extend_schema(request=PolymorphicProxySerializer(component_name="IncidentOpen", resource_type_field_name=None,
                                                      serializers=[IncidentSerializer, IncidentAlertSerializer]),
                   responses={201: IncidentSerializer, 200: IncidentSerializer})  # fmt: skip
    def create(self, request, *args, **kwargs):
        """Open an incident (201). An alert event — `{"external_id", "status": "firing"|"resolved", …}` —
        opens (201), re-opens or resolves (200) the incident with that id; an Alertmanager webhook body
        does so for each of its alerts and answers `{"incidents": [...]}`."""
        data = request.data
        if isinstance(data, dict) and "alerts" in data:
            return self._alertmanager(data)
        if isinstance(data, dict) and "status" in data:
            return self._alert(data)
        return super().create(request, *args, **kwargs)

    def _alert(self, data) -> Response:
        alert = IncidentAlertSerializer(data=data, context=self.get_serializer_context())
        alert.is_valid(raise_exception=True)
        values = alert.validated_data
        environment = values.get("environment")
        try:
            event = IncidentEvent(external_id=values["external_id"], action=ACTIONS[values["status"]],
                                  title=values["title"], severity=values["severity"],
                                  environment=environment.slug if environment else "",
                                  started_at=values.get("started_at"), resolved_at=values.get("resolved_at"),
                                  description=values["description"], source="api")  # fmt: skip
        except ReportError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        incident, created = services.incident_event(project=self.project, actor=self.request.user, event=event)
        body = self.get_serializer(self.get_queryset().get(pk=incident.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _alertmanager(self, data) -> Response:
        try:
            events = alertmanager.from_webhook(data, now=timezone.now())
        except ReportError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        with transaction.atomic():  # every alert of the notification, or none
            ids = [services.incident_event(project=self.project, actor=self.request.user, event=event)[0].pk
                   for event in events]  # fmt: skip
        incidents = self.get_queryset().filter(pk__in=ids)
        return Response({"incidents": self.get_serializer(incidents, many=True).data})
