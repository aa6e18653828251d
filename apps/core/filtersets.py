"""FilterSets core owns: the one a kit derives for a model, and the change log's.

One FilterSet per model serves both its list page and its API list, so the same query string
gives the same rows in both.
"""

import datetime

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from .models import ObjectChange


class UTCIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO date-time, turned to UTC: PostgreSQL refuses offsets beyond ±15:59 ("+19:26" was a 500)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or value.tzinfo is None:
            return value
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a date-time between the years 1 and 9999.", code="invalid") from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


def object_types() -> list[tuple[str, str]]:
    """Every kind of Threadline object the change log can name: ("requirements.requirement", "Requirement")."""
    from django.apps import apps

    found = [(f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name).capitalize())
             for m in apps.get_models() if m.__module__.startswith("apps.") and m is not ObjectChange]  # fmt: skip
    return sorted(found, key=lambda choice: choice[1])


class ObjectChangeFilterSet(django_filters.FilterSet):
    object_type = django_filters.ChoiceFilter(
        choices=object_types, method="filter_object_type", label="Object type",
        help_text="app_label.model, e.g. projects.membership",
    )
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="iexact", label="Actor (username)")
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices)
    since = UTCIsoDateTimeFilter(field_name="time", lookup_expr="gte", label="Since (e.g. 2026-11-01)")

    class Meta:
        model = ObjectChange
        fields = ["object_type", "actor", "action", "since"]

    def filter_object_type(self, queryset, name, value: str):
        app_label, _, model = value.lower().partition(".")
        if not model:
            return queryset.filter(content_type__model=app_label)
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        return queryset.filter(content_type=content_type) if content_type else queryset.none()


class AnyYesNo(forms.Select):
    """A boolean filter's select: Any (no filter), Yes, No — not Django's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def format_value(self, value):
        return {True: "true", False: "false", "True": "true", "False": "false"}.get(value, value or "")

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False, "1": True, "0": False}.get(str(data.get(name, "")).lower())


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", AnyYesNo)
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """``?q=``: a search box (type=search, so the list refreshes as you type) that calls ``search``."""

    def __init__(self, *, label="Search", method="search", **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search"}))
        super().__init__(label=label, method=method, **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    """``?q=`` looks for the words in every field of ``search_fields`` (case-insensitive); a boolean
    field's filter offers Any / Yes / No."""

    search_fields: tuple[str, ...] = ()

    class Meta:
        filter_overrides = {models.BooleanField: {"filter_class": YesNoFilter}}

    def search(self, queryset, name, value):
        match = Q()
        for field in self.search_fields:
            match |= Q(**{f"{field}__icontains": value})
        return queryset.filter(match)


def project_filterset(kit) -> type[django_filters.FilterSet]:
    """``<Model>FilterSet`` for a kit: search, exact filters on ``kit.filters``, ordering by the
    table's sortable columns."""
    attrs = {"search_fields": tuple(kit.search)}
    if kit.search:
        attrs["q"] = SearchFilter()
    sort_keys = [column.sort_key for column in kit.table.columns if column.sort_key]
    if sort_keys:
        attrs["ordering"] = django_filters.OrderingFilter(fields=sort_keys)
    attrs["Meta"] = type("Meta", (SearchFilterSet.Meta,), {"model": kit.model, "fields": list(kit.filters)})
    return type(f"{kit.model.__name__}FilterSet", (SearchFilterSet,), attrs)
