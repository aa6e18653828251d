"""The one FilterSet per model that needs more than the kit's default: the list pages and the API
lists both use these, so the same query string gives the same rows in both."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.core.filtersets import SearchFilter, SearchFilterSet

from .models import Component, DataModel, Decision, Document, Relation, parse_adr_key
from .selectors import HEALTH_CHECKS


class ComponentFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Key, name, description or technology.")
    kind = django_filters.ChoiceFilter(choices=Component.Kind.choices)
    system = django_filters.CharFilter(method="filter_system", label="System",
                                       help_text="A system key, or 'none' for components outside any system.")
    lifecycle = django_filters.ChoiceFilter(choices=Component.Lifecycle.choices)
    owner = django_filters.CharFilter(method="filter_owner", label="Owner", help_text="Username or team.")
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    health = django_filters.ChoiceFilter(choices=[(name, label) for name, (label, _) in HEALTH_CHECKS.items()],
                                         method="filter_health", label="Health")
    ordering = django_filters.OrderingFilter(fields=["key", "name", "kind", "lifecycle", ("system__name", "system"),
                                                     "updated_at"])  # fmt: skip

    search_fields = ("key", "name", "description", "technology")

    class Meta(SearchFilterSet.Meta):
        model = Component
        fields = ["q", "kind", "system", "lifecycle", "owner", "tag", "health"]

    def filter_system(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(system__isnull=True) if value.lower() == "none" else queryset.filter(system__key=value)

    def filter_owner(self, queryset, name, value):
        field = get_user_model().USERNAME_FIELD
        return queryset.filter(Q(**{f"owner__{field}__iexact": value.strip()}) | Q(team__iexact=value.strip()))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__name=value.strip()).distinct()

    def filter_health(self, queryset, name, value):
        return queryset.filter(HEALTH_CHECKS[value][1])


class RelationFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Either component's key or name, the protocol or the description.")
    kind = django_filters.ChoiceFilter(choices=Relation.Kind.choices)
    component = django_filters.CharFilter(method="filter_component", label="Component",
                                          help_text="A component key: its relations either way.")
    source = django_filters.CharFilter(field_name="source__key", label="Source (key)")
    target = django_filters.CharFilter(field_name="target__key", label="Target (key)")
    ordering = django_filters.OrderingFilter(fields=[("source__key", "source"), ("target__key", "target"), "kind"])

    search_fields = ("source__key", "source__name", "target__key", "target__name", "protocol", "description")

    class Meta(SearchFilterSet.Meta):
        model = Relation
        fields = ["q", "kind", "component", "source", "target"]

    def filter_component(self, queryset, name, value):
        return queryset.filter(Q(source__key=value.strip()) | Q(target__key=value.strip()))


class DocumentFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Title, description or source.")
    component = django_filters.CharFilter(method="filter_component", label="Component",
                                          help_text="A component key: documents attached to it or showing it.")
    ordering = django_filters.OrderingFilter(fields=["title", "updated_at"])

    search_fields = ("title", "description", "source")

    class Meta(SearchFilterSet.Meta):
        model = Document
        fields = ["q", "component"]

    def filter_component(self, queryset, name, value):
        return queryset.filter(Q(component__key=value.strip()) | Q(components__key=value.strip())).distinct()


class DataModelFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Key, name or description.")
    component = django_filters.CharFilter(field_name="component__key", label="Component (key)")
    latest_breaking = django_filters.BooleanFilter(label="Latest version breaking")
    ordering = django_filters.OrderingFilter(fields=["key", "name", "updated_at"])

    search_fields = ("key", "name", "description")

    class Meta(SearchFilterSet.Meta):
        model = DataModel
        fields = ["q", "component", "latest_breaking"]


class DecisionFilterSet(SearchFilterSet):
    q = SearchFilter(help_text="Number (ADR-3), title or any text.")
    status = django_filters.ChoiceFilter(choices=Decision.Status.choices)
    component = django_filters.CharFilter(field_name="components__key", label="Component (key)", distinct=True)
    requirement = django_filters.CharFilter(method="filter_requirement", label="Requirement (key)")
    ordering = django_filters.OrderingFilter(fields=[("number", "number"), "title", "status", "date"])

    search_fields = ("title", "context", "decision", "consequences", "considered_options", "deciders")

    class Meta(SearchFilterSet.Meta):
        model = Decision
        fields = ["q", "status", "component", "requirement"]

    def search(self, queryset, name, value):
        match = Q()
        for field in self.search_fields:
            match |= Q(**{f"{field}__icontains": value})
        number = parse_adr_key(value)
        return queryset.filter(match | Q(number=number) if number else match)

    def filter_requirement(self, queryset, name, value):
        from apps.requirements.models import parse_key

        number = parse_key(value)
        return queryset.filter(requirement_links__requirement__number=number).distinct() if number else queryset.none()
