"""Invitations in a real browser: an owner invites an email nobody uses yet from the members page; the
invitee opens the emailed link, signs up with that address, confirms it and lands in the project with
the invited role; the owner sees the pending invitation before and the member after; revoking kills a
link. No page breaks the Content-Security-Policy."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.projects.models import Invitation, Membership

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = "/projects/payments-api/members/"


def watch_console(page, seen: list[str]) -> list[str]:
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def csp_violations(seen: list[str]) -> list[str]:
    return [text for text in seen if "Content Security Policy" in text or "Refused to" in text]


def invite_from_members_page(owner, email: str, role: str) -> None:
    owner.goto(MEMBERS)
    owner.get_by_label("Username or email").fill(email)
    owner.get_by_label("Role *").select_option(role)
    owner.get_by_role("button", name="Add member").click()
    owner.get_by_role("button", name=f"Invite {email} as {role}").click()
    expect(owner.get_by_text(f"Invited {email} as {role}")).to_be_visible()


def link_in(message) -> str:
    return re.search(r"https?://\S+/projects/invitations/\S+/", message.body).group(0)


def test_invite_sign_up_confirm_and_land_in_the_project(page_as, page, project, screenshot):
    seen = []
    owner = page_as("owner")
    watch_console(owner, seen)
    watch_console(page, seen)

    invite_from_members_page(owner, "newbie@threadline.test", "member")
    pending = owner.get_by_role("region", name="Pending invitations")
    expect(pending.get_by_role("cell", name="newbie@threadline.test", exact=True)).to_be_visible()
    expect(pending.get_by_role("cell", name="owner", exact=True)).to_be_visible()  # invited by
    screenshot(owner, "invitations-members-pending")

    (invitation_mail,) = mail.outbox
    assert invitation_mail.to == ["newbie@threadline.test"]
    assert invitation_mail.subject == "[Threadline] owner invited you to Payments API"
    link = link_in(invitation_mail)

    # The invitee, not logged in, opens the link.
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Payments API")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="newbie@threadline.test")).to_be_visible()
    screenshot(page, "invitations-invitation-page")
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("newbie@threadline.test")
    page.get_by_label("Username").fill("newbie")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify your email address")).to_be_visible()

    confirmation = mail.outbox[1]
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/projects/payments-api/$"))
    expect(page.get_by_text("you joined Payments API (member)")).to_be_visible()
    expect(page.get_by_role("button", name="newbie")).to_be_visible()  # logged in
    screenshot(page, "invitations-landed-in-project")
    assert Membership.objects.get(project=project, user__username="newbie").role == "member"

    # The owner now sees a member, and no pending invitation.
    owner.goto(MEMBERS)
    expect(owner.get_by_role("row", name=re.compile(r"^newbie"))).to_be_visible()
    expect(owner.get_by_role("region", name="Pending invitations").get_by_role("table")).to_have_count(0)
    assert csp_violations(seen) == []


def test_revoke_kills_the_link(page_as, page, project, screenshot):
    seen = []
    owner = page_as("owner")
    watch_console(owner, seen)
    invite_from_members_page(owner, "later@threadline.test", "viewer")
    link = link_in(mail.outbox[0])

    owner.once("dialog", lambda dialog: dialog.accept())  # "Revoke the invitation of …?"
    owner.get_by_role("button", name="Revoke the invitation of later@threadline.test").click()
    expect(owner.get_by_text("Revoked the invitation of later@threadline.test.")).to_be_visible()
    expect(owner.get_by_text("later@threadline.test", exact=True)).to_have_count(0)
    assert Invitation.objects.get().status == "revoked"

    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation was revoked")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Sign up")).to_have_count(0)
    screenshot(page, "invitations-revoked")
    assert csp_violations(seen) == []
