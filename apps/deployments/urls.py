"""Deployment pages that belong to no one model: the overview (the pipeline, what each environment runs,
the environment × component matrix), the comparison of two environments and the DORA dashboard. The
models' own pages (deployments, environments, incidents, gate policies) come from their kits."""

from django.urls import path
from django.views import generic

from apps.core.views import ProjectMixin

from . import selectors
from .models import Environment, Incident


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


urlpatterns = [
    path("overview/", DeploymentsOverviewView.as_view(), name="overview"),
    path("environments/compare/", EnvironmentCompareView.as_view(), name="environment_compare"),
]
