"""RequirementFilterSet: the one set of filters behind the list page, the exports and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.core.filtersets import SearchFilter

from . import verification
from .models import Requirement, parse_key


class RequirementFilterSet(django_filters.FilterSet):
    q = SearchFilter(help_text="Key, title or description.")
    status = django_filters.ChoiceFilter(choices=Requirement.Status.choices)
    type = django_filters.ChoiceFilter(choices=Requirement.Type.choices)
    category = django_filters.ChoiceFilter(choices=Requirement.Category.choices)
    priority = django_filters.ChoiceFilter(choices=Requirement.Priority.choices)
    label = django_filters.CharFilter(method="filter_label", label="Label")
    owner = django_filters.CharFilter(method="filter_owner", label="Owner", help_text="Username.")
    parent = django_filters.CharFilter(
        method="filter_parent", label="Parent", help_text="A key such as REQ-3, or 'none' for top level."
    )
    verification = django_filters.ChoiceFilter(
        choices=verification.CHOICES, method="filter_verification", label="Tests",
        help_text="verified, failing or untested — from the latest run of each linked test.",
    )
    # Kept by the deployments app (RequirementDelivery, reverse name ``production_delivery``).
    production = django_filters.ChoiceFilter(choices=[("yes", "In production"), ("no", "Not yet")],
                                             method="filter_production", label="In production")  # fmt: skip
    ordering = django_filters.OrderingFilter(
        fields=[("number", "key"), "title", "status", ("priority_rank", "priority"), "updated_at"],
        field_labels={"number": "Key", "priority_rank": "Priority"},
    )

    class Meta:
        model = Requirement
        fields = ["q", "status", "type", "category", "priority", "label", "owner", "parent", "verification",
                  "production"]

    def search(self, queryset, name, value):
        number = parse_key(value)
        match = Q(title__icontains=value) | Q(description__icontains=value)
        return queryset.filter(match | Q(number=number) if number else match)

    def filter_production(self, queryset, name, value):
        return queryset.filter(production_delivery__isnull=value != "yes") if value else queryset

    def filter_label(self, queryset, name, value):
        return queryset.filter(labels__name__iexact=value.strip()).distinct()

    def filter_owner(self, queryset, name, value):
        field = get_user_model().USERNAME_FIELD
        return queryset.filter(**{f"owner__{field}__iexact": value.strip()})

    def filter_parent(self, queryset, name, value):
        if value.strip().lower() == "none":
            return queryset.filter(parent__isnull=True)
        number = parse_key(value)
        return queryset.filter(parent__number=number) if number else queryset.none()

    def filter_verification(self, queryset, name, value):
        if "verification" not in queryset.query.annotations:
            queryset = verification.annotate_verification(queryset)
        return queryset.filter(verification=value)
