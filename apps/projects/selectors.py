"""Reads shared by the project pages and the API (prefetching built in)."""

from django.db.models import Count, Q

from apps.core.models import ObjectChange
from apps.core.permissions import Role

from .models import Invitation, Membership, Project


def project_list(*, user, token=None):
    # Meta.ordering is dropped from GROUP BY queries, so order explicitly (stable pagination).
    return Project.objects.for_user(user, token).annotate(
        member_count=Count("memberships", distinct=True),
    ).order_by("name", "pk")


def membership_list(*, project):
    return Membership.objects.filter(project=project).select_related("user")


def invitation_list(*, project):
    """Every invitation of the project, newest first (the API filters them by status)."""
    return Invitation.objects.filter(project=project).select_related("invited_by", "accepted_by")


def pending_invitations(*, project):
    return invitation_list(project=project).pending().order_by("email")


def activity_list(*, project):
    return ObjectChange.objects.filter(project=project).select_related("content_type", "actor")


def owners_count(*, project) -> int:
    return project.memberships.filter(role=Role.OWNER).count()


def user_role_counts(*, project) -> dict:
    return project.memberships.aggregate(**{role: Count("id", filter=Q(role=role)) for role in Role.values})
