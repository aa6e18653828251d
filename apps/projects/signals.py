"""Invitations follow the invitee's email: confirming the invited address accepts its invitations."""

from allauth.account.signals import email_confirmed
from django.contrib import messages
from django.dispatch import receiver

from . import services


@receiver(email_confirmed, dispatch_uid="projects.accept_invitations_on_email_confirmed")
def accept_invitations_on_email_confirmed(sender, request, email_address, **kwargs):
    """The address is the invitee's now: join every project it was invited to (pending invitations).

    Who signed up through an invitation's link returns to its page, which sends them on to the project;
    who signed up without it is sent to the project instead of the project list.
    """
    memberships = services.invitations_accept_for_email(user=email_address.user, email=email_address.email)
    if not memberships or request is None:
        return
    names = ", ".join(f"{m.project.name} ({m.role})" for m in memberships)
    messages.success(request, f"Your invitation is accepted: you joined {names}.")
    _send_signup_to(request, email_address.user_id, memberships[0].project.get_absolute_url())


def _send_signup_to(request, user_id, url: str) -> None:
    """If a signup waiting for this confirmation has nowhere to go yet, make it go to ``url``.

    allauth logs the new user in after the confirmation and redirects to the stashed login's
    ``redirect_url`` (the signup's ?next=), else to LOGIN_REDIRECT_URL (the project list).
    """
    try:
        from allauth.account.internal.stagekit import stash_login, unstash_login
    except ImportError:  # allauth moved its internals: the project list is a fine place to land too
        return
    login = unstash_login(request, peek=True)
    if login is not None and not login.redirect_url and getattr(login.user, "pk", None) == user_id:
        login.redirect_url = url
        stash_login(request, login)
