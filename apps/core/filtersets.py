"""The change-log FilterSet: one class for the activity page and the activity endpoint."""

import django_filters
from django.contrib.contenttypes.models import ContentType

from .models import ObjectChange


class ObjectChangeFilterSet(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        method="filter_object_type", label="Object type", help_text="app_label.model, e.g. projects.membership"
    )
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="iexact", label="Actor (username)")
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices)
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte", label="Since (e.g. 2026-11-01)")

    class Meta:
        model = ObjectChange
        fields = ["object_type", "actor", "action", "since"]

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.lower().partition(".")
        if not model:
            return queryset.filter(content_type__model=app_label)
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        return queryset.filter(content_type=content_type) if content_type else queryset.none()
