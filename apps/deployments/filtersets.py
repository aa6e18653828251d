"""The one FilterSet per model that needs more than the kit's default (list page and API alike)."""

import django_filters

from apps.core.filtersets import SearchFilter, SearchFilterSet, UTCIsoDateTimeFilter

from .models import Deployment, Incident


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


class IncidentFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Title, description or external id.")
    environment = django_filters.CharFilter(field_name="environment__slug", label="Environment (slug)")
    severity = django_filters.ChoiceFilter(choices=Incident.Severity.choices)
    state = django_filters.ChoiceFilter(choices=[("open", "Open"), ("resolved", "Resolved")], method="filter_state",
                                        label="State")  # fmt: skip
    caused_by = django_filters.NumberFilter(field_name="caused_by_id", label="Caused by (deployment id)")
    since = UTCIsoDateTimeFilter(field_name="started_at", lookup_expr="gte", label="Started since")
    until = UTCIsoDateTimeFilter(field_name="started_at", lookup_expr="lt", label="Started before")
    ordering = django_filters.OrderingFilter(fields=["started_at", "title", "severity", "resolved_at"])

    search_fields = ("title", "description", "external_id")

    class Meta(SearchFilterSet.Meta):
        model = Incident
        fields = ["q", "environment", "severity", "state", "caused_by", "since", "until"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == "open") if value else queryset
