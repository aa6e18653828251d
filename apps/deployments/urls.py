"""Deployment pages that belong to no one model: the overview (the pipeline, what each environment runs,
the environment × component matrix), the comparison of two environments and the DORA dashboard. The
models' own pages (deployments, environments, incidents, gate policies) come from their kits."""

from django.urls import path
from django.views import generic
from rest_framework.exceptions import ValidationError

from apps.architecture.models import Component
from apps.core.views import ProjectMixin

from . import dora_queries, selectors
from .api.dora import DrillDownQuerySerializer, dora_scope
from .dora.bands import SOURCE
from .models import Change, ChangeDelivery, Deployment, Environment, Incident


class DeploymentsOverviewView(ProjectMixin, generic.TemplateView):
    template_name = "deployments/overview.html"

    def get_context_data(self, **kwargs):
        matrix = selectors.what_runs_where(project=self.project)
        open_incidents = {}
        for incident in Incident.objects.filter(project=self.project, resolved_at__isnull=True).only(
                "id", "environment_id", "severity"):  # fmt: skip
            open_incidents.setdefault(incident.environment_id, []).append(incident)
        for column in matrix["environments"]:
            column["open_incidents"] = open_incidents.get(column["environment"].pk, [])
        environments = [column["environment"] for column in matrix["environments"]]
        pairs = [(a, b) for a, b in zip(environments, environments[1:], strict=False)]
        return super().get_context_data(matrix=matrix, promotions=pairs, **kwargs)


class EnvironmentCompareView(ProjectMixin, generic.TemplateView):
    """``?base=production&head=staging``: what head runs that base doesn't. Without both, a chooser."""

    template_name = "deployments/compare.html"

    def get_context_data(self, **kwargs):
        environments = list(Environment.objects.filter(project=self.project))
        by_slug = {e.slug: e for e in environments}
        base, head = by_slug.get(self.request.GET.get("base", "")), by_slug.get(self.request.GET.get("head", ""))
        if base is None and head is None and len(environments) > 1:  # the pipeline's last step by default
            base, head = environments[-1], environments[-2]
        unknown = [self.request.GET[name] for name in ("base", "head") if self.request.GET.get(name) and
                   self.request.GET[name] not in by_slug]  # fmt: skip
        comparison = None
        if base is not None and head is not None and base != head:
            comparison = selectors.compare_environments(project=self.project, base=base, head=head)
        return super().get_context_data(environments=environments, base=base, head=head, unknown=unknown,
                                        comparison=comparison, **kwargs)  # fmt: skip


TREND_CHARTS = [("deployment_frequency", "Deployments per week"), ("lead_time", "Lead time (hours, median)"),
                ("change_failure_rate", "Change failure rate (%)"), ("recovery_time", "Recovery time (hours)"),
                ("rework_rate", "Rework rate (%)")]  # fmt: skip
DORA_DRILL_ROWS = 200  # the newest rows behind a figure; the figure's counts say how many in all


class DoraDashboardView(ProjectMixin, generic.TemplateView):
    """The five keys as tiles with their bands, the weekly trend of each, and the rows behind one figure
    (``?drill=lead_time``). The same query string as the API's ``dora/``."""

    template_name = "deployments/dora.html"
    PERIODS = [("30d", "30 days"), ("90d", "90 days"), ("180d", "180 days"), ("365d", "a year")]

    def get_context_data(self, **kwargs):
        query = DrillDownQuerySerializer(data={k: v for k, v in self.request.GET.items() if v}, partial=True)
        values = {"period": 90, "environment": "", "component": ""}
        errors = {}
        if query.is_valid():
            values.update(query.validated_data)
        else:
            errors = {name: " ".join(str(m) for m in messages) for name, messages in query.errors.items()}
        try:
            scope = dora_scope(self.project, values)
        except ValidationError as exc:
            errors.update({name: " ".join(messages) for name, messages in exc.detail.items()})
            scope = dora_scope(self.project, {"period": values["period"]})
        figures = dora_queries.dora_report(**scope)
        trend = dora_queries.dora_trend(**scope)
        drill = values.get("metric") if "metric" not in errors else None
        return super().get_context_data(
            figures=figures, trend=[{**week, "start": week["start"].date().isoformat(),
                                     "end": week["end"].date().isoformat()} for week in trend],
            values=values, errors=errors, scope=scope, periods=self.PERIODS, drill=drill, band_source=SOURCE,
            trend_charts=TREND_CHARTS,
            drilled=self._drilled(scope, drill) if drill else None,
            environments=Environment.objects.filter(project=self.project, tier=Environment.Tier.PRODUCTION),
            components=Component.objects.filter(project=self.project).values_list("key", flat=True)[:500],
            **kwargs)  # fmt: skip

    def _drilled(self, scope, metric) -> dict:
        ids = dora_queries.dora_drill_down(metric=metric, **scope)
        limit = DORA_DRILL_ROWS
        return {
            "counts": {name: len(found) for name, found in ids.items()},
            "deployments": Deployment.objects.filter(pk__in=ids["deployments"][-limit:]).select_related(
                "environment", "actor").order_by("-finished_at"),
            "changes": Change.objects.filter(pk__in=ids["changes"][-limit:]).order_by("-committed_at"),
            "incidents": Incident.objects.filter(pk__in=ids["incidents"][-limit:]).select_related("environment"),
            "lead_times": self._lead_times(scope, ids["changes"][-limit:]) if metric == "lead_time" else [],
        }  # fmt: skip

    @staticmethod
    def _lead_times(scope, change_ids) -> list:
        """Each change's lead time: its first delivery to a production environment in scope, in the period."""
        deliveries = ChangeDelivery.objects.filter(
            change_id__in=change_ids, component=None, environment__tier=Environment.Tier.PRODUCTION,
            delivered_at__gte=scope["start"], delivered_at__lt=scope["end"], lead_seconds__gte=0)  # fmt: skip
        if scope["environment"]:
            deliveries = deliveries.filter(environment__slug=scope["environment"])
        return deliveries.select_related("change", "environment").order_by("-delivered_at")


urlpatterns = [
    path("dora/", DoraDashboardView.as_view(), name="dora"),
    path("overview/", DeploymentsOverviewView.as_view(), name="overview"),
    path("environments/compare/", EnvironmentCompareView.as_view(), name="environment_compare"),
]
