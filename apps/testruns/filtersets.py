"""One FilterSet per model, shared by the HTML pages and the API (same filters everywhere)."""

import django_filters
from django.db.models import Q

from apps.core.filtersets import SearchFilter, YesNoFilter

from .models import FAILING, Status, TestCase, TestResult, TestRun


class TestRunFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="exact", label="Name")
    branch = django_filters.CharFilter(lookup_expr="exact", label="Branch")
    status = django_filters.ChoiceFilter(choices=TestRun.State.choices)
    environment = django_filters.CharFilter(lookup_expr="exact", label="Environment")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")
    commit = django_filters.CharFilter(lookup_expr="startswith", label="Commit")

    class Meta:
        model = TestRun
        fields = ["name", "branch", "status", "environment", "since", "until", "commit"]


class TestResultFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("failing", "Failing (failed or error)"), *Status.choices], method="filter_status"
    )
    q = SearchFilter()
    signature = django_filters.CharFilter(field_name="message_signature", label="Failure signature")
    suite = django_filters.CharFilter(field_name="test_case__suite", label="Suite")
    classname = django_filters.CharFilter(field_name="test_case__classname", label="Class")
    flaky = YesNoFilter(method="filter_flaky", label="Flaky in run")
    ordering = django_filters.OrderingFilter(fields=["duration", "id"])

    class Meta:
        model = TestResult
        fields = ["status", "q", "signature", "suite", "classname", "flaky"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=FAILING) if value == "failing" else queryset.filter(status=value)

    def filter_flaky(self, queryset, name, value):
        return queryset.filter(flaky_in_run=value)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(test_case__name__icontains=value)
            | Q(test_case__classname__icontains=value)
            | Q(test_case__suite__icontains=value)
            | Q(failure_message__icontains=value)
        )


class TestCaseFilterSet(django_filters.FilterSet):
    q = SearchFilter()
    last_status = django_filters.ChoiceFilter(choices=Status.choices, label="Last status")
    flaky = YesNoFilter(method="filter_flaky", label="Flaky")
    suite = django_filters.CharFilter(lookup_expr="exact")

    class Meta:
        model = TestCase
        fields = ["q", "last_status", "flaky", "suite"]

    def filter_flaky(self, queryset, name, value):
        return queryset.filter(flaky=value)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(classname__icontains=value) | Q(suite__icontains=value)
        )


class HistoryFilterSet(django_filters.FilterSet):
    """Per-test history: results of one test across runs."""

    branch = django_filters.CharFilter(field_name="run__branch")
    name = django_filters.CharFilter(field_name="run__name", label="Run name")
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = TestResult
        fields = ["branch", "name", "status"]
