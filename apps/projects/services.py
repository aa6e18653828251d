"""Every write on projects, memberships and invitations. Keyword-only, atomic, logged once."""

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.core.changelog import log_change, snapshot
from apps.core.models import ObjectChange
from apps.core.permissions import ProjectAccess, Role
from apps.core.services import instance_delete, instance_save

from .models import Invitation, Membership, Project, invitation_expiry

logger = logging.getLogger(__name__)


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


def _find_user(identifier, *, project: Project) -> object:
    if not isinstance(identifier, str):
        return identifier  # already a user (the admin's inline)
    identifier = identifier.strip()
    users = get_user_model().objects.filter(is_active=True)
    match = users.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
    if match is None:
        match = users.filter(emailaddress__email__iexact=identifier).first()
    if match is None:
        # The members page turns this (by its code) into an offer to invite an email; the API shows it.
        raise ValidationError({"user": ValidationError(
            f"No active user with username or email '{identifier}'. Someone without an account can be invited "
            f"by email: on the members page, or POST {{\"email\": \"…\", \"role\": \"…\"}} to "
            f"/api/v1/projects/{project.slug}/invitations/.",
            code="unknown_user",
        )})  # fmt: skip
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
    member = _find_user(user, project=project)
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


# ---- invitations ------------------------------------------------------------------------------


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"'{email}' is not a valid email address."}) from None
    return email


def _member_with_email(project: Project, email: str) -> Membership | None:
    return (
        Membership.objects.filter(project=project)
        .filter(Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email))
        .select_related("user")
        .first()
    )


def invitation_link(*, site_url: str, token: str) -> str:
    """The invitation page's address on the host the inviter used (``site_url``: scheme and host)."""
    return site_url.rstrip("/") + reverse("projects:invitation_detail", kwargs={"token": token})


def _send_invitation_email(*, invitation_pk: int, link: str, site_url: str) -> None:
    invitation = Invitation.objects.select_related("project", "invited_by").get(pk=invitation_pk)
    site_name = settings.SITE_NAME
    context = {
        "invitation": invitation,
        "project": invitation.project,
        "inviter": invitation.invited_by.get_username() if invitation.invited_by else site_name,
        "link": link,
        # What allauth's mails read (templates/account/email/base_message.txt).
        "current_site": {"name": site_name, "domain": site_url.split("://", 1)[-1].rstrip("/")},
    }
    subject = " ".join(render_to_string("account/email/invitation_subject.txt", context).split())
    body = render_to_string("account/email/invitation_message.txt", context)
    try:
        send_mail(f"[{site_name}] {subject}", body, None, [invitation.email])
    except Exception:  # the invitation stands; the members page can send it again
        logger.exception("Could not send the invitation email of invitation %s", invitation_pk)


@transaction.atomic
def invitation_create(
    *, project: Project, actor, access: ProjectAccess, email: str, role: str = Role.MEMBER, site_url: str
) -> tuple[Invitation, str]:
    """Invite ``email`` to join the project as ``role`` and email them a link (once committed).

    The role rules are the membership rules (a maintainer can't invite an owner). An email already
    invited gets its open invitation refreshed (new link, role, inviter and expiry), never a second one.
    Returns the invitation and the raw token, which is stored nowhere.
    """
    _check_role(role)
    access.require_grant(role)
    email = _normalise_email(email)
    _lock_memberships(project)
    member = _member_with_email(project, email)
    if member is not None:
        raise ValidationError({"email": (
            f"{email} belongs to {member.user.get_username()}, already a member of this project ({member.role})."
        )})  # fmt: skip
    token = Invitation.new_token()
    values = {
        "role": role,
        "invited_by": actor if getattr(actor, "is_authenticated", False) else None,
        "token_hash": Invitation.hash_token(token),
        "expires_at": invitation_expiry(),
    }
    invitation = Invitation.objects.select_for_update().open().filter(project=project, email=email).first()
    if invitation is None:
        invitation = instance_save(instance=Invitation(project=project, email=email, **values), actor=actor)
    else:
        for name, value in values.items():
            setattr(invitation, name, value)
        invitation = instance_save(instance=invitation, actor=actor, verb="sent again")
    link = invitation_link(site_url=site_url, token=token)
    pk = invitation.pk
    transaction.on_commit(lambda: _send_invitation_email(invitation_pk=pk, link=link, site_url=site_url))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor, access: ProjectAccess) -> Invitation:
    """Withdraw an invitation (maintainer+, an owner for an owner's). Revoking twice changes nothing."""
    access.require_grant(invitation.role)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError("This invitation was already accepted; remove the member instead.")
    if invitation.status == Invitation.Status.REVOKED:
        return invitation
    invitation.revoked_at = timezone.now()
    return instance_save(instance=invitation, actor=actor, verb="revoked")


def invitation_refusal(invitation: Invitation) -> str | None:
    """Why this invitation can't be accepted any more, or None while it is pending."""
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "a maintainer of the project"
    return {
        Invitation.Status.ACCEPTED: "This invitation has already been used.",
        Invitation.Status.REVOKED: f"This invitation was revoked. Ask {inviter} for a new one if you still need it.",
        Invitation.Status.EXPIRED: (
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%Y-%m-%d %H:%M %Z}. "
            f"Ask {inviter} to invite you again."
        ),
    }.get(invitation.status)


def user_has_verified_email(user, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """``user`` joins the project with the invited role: the invitation must be pending and its
    email one of the user's verified addresses. Someone already a member keeps their role."""
    _lock_memberships(invitation.project)
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("project", "invited_by").get(
        pk=invitation.pk
    )
    refusal = invitation_refusal(invitation)
    if refusal:
        raise ValidationError(refusal, code=invitation.status)
    if not user_has_verified_email(user, invitation.email):
        raise ValidationError(
            f"This invitation is for {invitation.email}, which is not a verified email address of your account "
            f"({user.get_username()}). Log in with the account that uses it, or add and confirm it under "
            "Account → Email addresses.",
            code="wrong_email",
        )
    membership = Membership.objects.filter(project=invitation.project, user=user).first()
    if membership is None:
        inviter = invitation.invited_by.get_username() if invitation.invited_by else "the project"
        membership = instance_save(
            instance=Membership(project=invitation.project, user=user, role=invitation.role),
            actor=user, message=f"accepted an invitation from {inviter}",
        )  # fmt: skip
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    instance_save(instance=invitation, actor=user, verb="accepted")
    return membership


def invitations_accept_for_email(*, user, email: str) -> list[Membership]:
    """Accept every pending invitation of ``email`` for ``user`` (called when they confirm it)."""
    memberships = []
    for invitation in Invitation.objects.pending().filter(email__iexact=email.strip()).select_related("project"):
        try:
            memberships.append(invitation_accept(invitation=invitation, user=user))
        except ValidationError:  # used or revoked meanwhile, or the address isn't verified after all
            continue
    return memberships
