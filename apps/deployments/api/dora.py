"""The five DORA keys for CI dashboards and integrations: ``GET …/dora/?period=90d&environment=&component=``,
and the rows behind one figure: ``GET …/dora/drill-down/?metric=lead_time``. Computed from the database by
SQL aggregates (apps.deployments.dora_queries); the pure engine in apps.deployments.dora is the reference."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.architecture.models import Component
from apps.core.api.serializers import query_values
from apps.core.api.views import ProjectAPIView
from apps.core.permissions import READ

from .. import dora_queries, selectors
from ..models import Environment

METRICS = ("deployment_frequency", "lead_time", "change_failure_rate", "recovery_time", "rework_rate")


class DoraQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False, default="90d", max_length=5,
        help_text="Days or weeks back from now: 90d (default), 12w; at most 730 days.")  # fmt: skip
    environment = serializers.CharField(
        required=False, allow_blank=True, max_length=63,
        help_text="A production environment's slug (default: all of them).")  # fmt: skip
    component = serializers.CharField(required=False, allow_blank=True, max_length=63,
                                      help_text="A component key: only deployments that deploy it.")  # fmt: skip

    def validate_period(self, value):
        try:
            return selectors.period_days(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class DrillDownQuerySerializer(DoraQuerySerializer):
    metric = serializers.ChoiceField(choices=[(m, m) for m in METRICS])


class DoraFigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="Seconds, a fraction 0-1, or deployments per week.")
    unit = serializers.CharField()
    band = serializers.CharField(allow_null=True, help_text="elite, high, medium or low (none without data).")


class DoraSerializer(serializers.Serializer):
    """Each key: value, unit, band and the counts behind it (deployments, changes, incidents …)."""

    deployment_frequency = DoraFigureSerializer()
    lead_time = DoraFigureSerializer()
    change_failure_rate = DoraFigureSerializer()
    recovery_time = DoraFigureSerializer()
    rework_rate = DoraFigureSerializer()
    period = serializers.DictField(help_text="start, end (ISO 8601) and days.")


DRILL_DOWN_LIMIT = 1000  # ids per list: a year of lead time can stand on hundreds of thousands of changes


class DrillDownSerializer(serializers.Serializer):
    deployments = serializers.ListField(child=serializers.IntegerField(), help_text="Deployment ids (the last 1000).")
    changes = serializers.ListField(child=serializers.IntegerField(), help_text="Change ids (the last 1000).")
    incidents = serializers.ListField(child=serializers.IntegerField(), help_text="Incident ids (the last 1000).")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="How many of each there are in all.")


def dora_scope(project, values: dict) -> dict:
    """The keyword arguments of the dora_queries functions from validated query values; an environment or
    component the project doesn't have is a ValidationError naming it."""
    days = values["period"] if isinstance(values["period"], int) else selectors.period_days(values["period"])
    for name, model, field in (("environment", Environment, "slug"), ("component", Component, "key")):
        if values.get(name) and not model.objects.filter(project=project, **{field: values[name]}).exists():
            raise serializers.ValidationError({name: [f"No {name} '{values[name]}' in this project."]})
    end = timezone.now()
    return {"project": project, "start": end - timedelta(days=days), "end": end,
            "environment": values.get("environment") or None, "component": values.get("component") or None}  # fmt: skip


class DoraView(ProjectAPIView):
    action_roles = {"get": READ}

    @extend_schema(parameters=[DoraQuerySerializer], responses=DoraSerializer)
    def get(self, request, *args, **kwargs):
        """The five DORA keys over the period, for production environments (one, or all): deployment
        frequency (per week), lead time for changes (median seconds; p90 too), change failure rate and
        deployment rework rate (fractions), failed deployment recovery time (median seconds) — each with
        its band from the DORA report and the counts behind it."""
        scope = dora_scope(self.project, query_values(DoraQuerySerializer, request))
        figures = dora_queries.dora_report(**scope)
        period = {"start": scope["start"].isoformat(), "end": scope["end"].isoformat(),
                  "days": (scope["end"] - scope["start"]).days}  # fmt: skip
        return Response({**figures, "period": period})


class DoraDrillDownView(ProjectAPIView):
    action_roles = {"get": READ}

    @extend_schema(parameters=[DrillDownQuerySerializer], responses=DrillDownSerializer)
    def get(self, request, *args, **kwargs):
        """The deployments, changes and incidents behind one DORA figure (ids, the last 1000 of each; see
        deployments/, incidents/), and how many there are in all."""
        values = query_values(DrillDownQuerySerializer, request)
        scope = dora_scope(self.project, values)
        found = dora_queries.dora_drill_down(metric=values["metric"], **scope)
        body = {name: ids[-DRILL_DOWN_LIMIT:] for name, ids in found.items()}
        return Response({**body, "counts": {name: len(ids) for name, ids in found.items()}})
