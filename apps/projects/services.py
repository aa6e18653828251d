"""Every write on projects and memberships. Keyword-only, atomic, logged once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.core.changelog import log_change, snapshot
from apps.core.models import ObjectChange
from apps.core.permissions import ProjectAccess, Role
from apps.core.services import instance_delete, instance_save

from .models import Membership, Project


@transaction.atomic
def project_create(*, actor, name: str, slug: str, description: str = "", archived: bool = False) -> Project:
    """Create a project; its creator becomes its first owner."""
    project = instance_save(
        instance=Project(name=name, slug=slug, description=description, archived=archived), actor=actor
    )
    membership = Membership.objects.create(project=project, user=actor, role=Role.OWNER)
    log_change(actor=actor, instance=membership, action=ObjectChange.Action.CREATE, after=snapshot(membership))
    return project


def project_update(*, project: Project, actor, **fields) -> Project:
    for key, value in fields.items():
        setattr(project, key, value)
    return instance_save(instance=project, actor=actor)


def project_delete(*, project: Project, actor) -> None:
    instance_delete(instance=project, actor=actor)


def _find_user(identifier) -> object:
    if not isinstance(identifier, str):
        return identifier  # already a user (the admin's inline)
    identifier = identifier.strip()
    users = get_user_model().objects.filter(is_active=True)
    match = users.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
    if match is None:
        match = users.filter(emailaddress__email__iexact=identifier).first()
    if match is None:
        raise ValidationError({"user": f"No active user with username or email '{identifier}'."})
    return match


def _lock_memberships(project: Project) -> None:
    """Serialise membership changes of one project: two owners leaving at once must not both see
    the other one still there. The project row's lock is held until the transaction ends."""
    Project.objects.select_for_update().filter(pk=project.pk).first()


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'; choose one of {', '.join(Role.values)}."})


def owner_remains(*, project: Project, losing: set[int]) -> bool:
    """Would the project still have an owner if the memberships ``losing`` stopped being owners?"""
    return Membership.objects.filter(project=project, role=Role.OWNER).exclude(pk__in=losing).exists()


@transaction.atomic
def membership_add(*, project: Project, actor, access: ProjectAccess, user, role: str = Role.MEMBER) -> Membership:
    """Add a user (a username, an email, or the user) to the project with ``role``."""
    _check_role(role)
    access.require_grant(role)
    _lock_memberships(project)
    member = _find_user(user)
    if Membership.objects.filter(project=project, user=member).exists():
        raise ValidationError({"user": f"{member.get_username()} is already a member of this project."})
    return instance_save(instance=Membership(project=project, user=member, role=role), actor=actor)


@transaction.atomic
def membership_change_role(*, membership: Membership, actor, access: ProjectAccess, role: str) -> Membership:
    _check_role(role)
    _lock_memberships(membership.project)
    membership = Membership.objects.select_related("project").get(pk=membership.pk)
    if role == membership.role:
        return membership
    access.require_grant(role)
    access.require_grant(membership.role)
    if membership.role == Role.OWNER and not owner_remains(project=membership.project, losing={membership.pk}):
        raise ValidationError({"role": "A project needs an owner: promote someone else before demoting the last one."})
    membership.role = role
    return instance_save(instance=membership, actor=actor, verb=f"role → {role}")


@transaction.atomic
def membership_remove(*, membership: Membership, actor, access: ProjectAccess) -> None:
    """Remove a member (needs MANAGE, and an owner to remove an owner), or leave (any role)."""
    _lock_memberships(membership.project)
    membership = Membership.objects.select_related("project").get(pk=membership.pk)
    leaving = membership.user_id == getattr(actor, "pk", None)
    if not leaving:
        access.require_grant(membership.role)
    if membership.role == Role.OWNER and not owner_remains(project=membership.project, losing={membership.pk}):
        raise ValidationError({"user": "The last owner can't leave or be removed: make someone else owner first."})
    instance_delete(instance=membership, actor=actor, message="left" if leaving else "")
