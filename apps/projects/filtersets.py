import django_filters
from django.db.models import Q

from apps.core.filtersets import SearchFilter, YesNoFilter
from apps.core.permissions import Role

from .models import Invitation, Membership, Project


class ProjectFilterSet(django_filters.FilterSet):
    q = SearchFilter()
    archived = YesNoFilter()
    ordering = django_filters.OrderingFilter(fields=["name", "slug", "created_at"])

    class Meta:
        model = Project
        fields = ["q", "archived"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(description__icontains=value))


class MembershipFilterSet(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    q = SearchFilter()

    class Meta:
        model = Membership
        fields = ["role", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__username__icontains=value) | Q(user__email__icontains=value))


class InvitationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Invitation.Status.choices, method="filter_status")

    class Meta:
        model = Invitation
        fields = ["status", "role"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)
