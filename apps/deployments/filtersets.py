"""The one FilterSet per model that needs more than the kit's default (list page and API alike)."""

import django_filters

from apps.core.filtersets import SearchFilter, SearchFilterSet, UTCIsoDateTimeFilter

from .models import Deployment


class DeploymentFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Version, commit, ref or external id.")
    environment = django_filters.CharFilter(field_name="environment__slug", label="Environment (slug)")
    status = django_filters.ChoiceFilter(choices=Deployment.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Deployment.Kind.choices)
    component = django_filters.CharFilter(field_name="components__key", label="Component (key)", distinct=True)
    since = UTCIsoDateTimeFilter(field_name="finished_at", lookup_expr="gte", label="Finished since")
    until = UTCIsoDateTimeFilter(field_name="finished_at", lookup_expr="lt", label="Finished before")
    ordering = django_filters.OrderingFilter(fields=["finished_at", "started_at", "status", "version"])

    search_fields = ("version", "commit", "ref", "external_id")

    class Meta(SearchFilterSet.Meta):
        model = Deployment
        fields = ["q", "environment", "status", "kind", "component", "since", "until"]
