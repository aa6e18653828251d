"""Every write on projects and memberships. Keyword-only, atomic, logged once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from apps.core.changelog import log_change, snapshot
from apps.core.models import ObjectChange
from apps.core.permissions import Role, role_at_least
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


def _find_user(identifier: str):
    identifier = identifier.strip()
    users = get_user_model().objects.filter(is_active=True)
    match = users.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
    if match is None:
        match = users.filter(emailaddress__email__iexact=identifier).first()
    if match is None:
        raise ValidationError({"user": f"No active user with username or email '{identifier}'."})
    return match


def _owner_count(project: Project) -> int:
    return Membership.objects.filter(project=project, role=Role.OWNER).count()


def _require_may_grant(acting_role: str, role: str) -> None:
    # Maintainers manage members but can't create or change owners; only owners can.
    if role == Role.OWNER and not role_at_least(acting_role, Role.OWNER):
        raise PermissionDenied("Only an owner can grant or change the owner role.")


@transaction.atomic
def membership_add(*, project: Project, actor, actor_role: str, user: str, role: str = Role.MEMBER) -> Membership:
    """Add a user (by username or email) to the project with ``role``."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'; choose one of {', '.join(Role.values)}."})
    _require_may_grant(actor_role, role)
    member = _find_user(user)
    if Membership.objects.filter(project=project, user=member).exists():
        raise ValidationError({"user": f"{member.username} is already a member of this project."})
    return instance_save(instance=Membership(project=project, user=member, role=role), actor=actor)


@transaction.atomic
def membership_change_role(*, membership: Membership, actor, actor_role: str, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'; choose one of {', '.join(Role.values)}."})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role == membership.role:
        return membership
    _require_may_grant(actor_role, role)
    _require_may_grant(actor_role, membership.role)
    if membership.role == Role.OWNER and _owner_count(membership.project) <= 1:
        raise ValidationError({"role": "A project needs an owner: promote someone else before demoting the last one."})
    membership.role = role
    return instance_save(instance=membership, actor=actor, verb=f"role → {role}")


@transaction.atomic
def membership_remove(*, membership: Membership, actor, actor_role: str | None = None) -> None:
    """Remove a member. With ``actor_role`` None the actor is leaving on their own."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if actor_role is not None:
        _require_may_grant(actor_role, membership.role)
    if membership.role == Role.OWNER and _owner_count(membership.project) <= 1:
        raise ValidationError({"user": "The last owner can't leave or be removed: make someone else owner first."})
    instance_delete(instance=membership, actor=actor, message="left" if actor_role is None else "")
