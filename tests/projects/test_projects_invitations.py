"""Invitations: a maintainer or owner invites an email; the invitee signs up (or logs in) and lands in the
project with the invited role. Every door (members page, invitation page, email confirmation, API) is
tried by every role, and every refusal changes nothing: no invitation, no member, no change-log entry."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import ObjectChange
from apps.core.permissions import ProjectAccess, Role
from apps.projects import services
from apps.projects.models import Invitation, Membership
from tests.conftest import PASSWORD, make_user
from tests.kit import ROLES, assert_queries, expected_status

BASE = "/api/v1/projects/payments-api"
MEMBERS_PAGE = "/projects/payments-api/members/"
SITE = "http://testserver/"


def state():
    """What a refused or failed write must leave as it was."""
    invitations = sorted(map(repr, Invitation.objects.values()))
    return invitations, Membership.objects.count(), ObjectChange.objects.count()


def page_url(token: str) -> str:
    return reverse("projects:invitation_detail", kwargs={"token": token})


@pytest.fixture
def invite(project, users, django_capture_on_commit_callbacks):
    """invite("new@example.com", role="member", by="owner") -> (invitation, raw token); the email is sent."""

    def make(email="new@example.com", role=Role.MEMBER, by="owner"):
        access = ProjectAccess(project=project, role=by if by in Role.values else Role.OWNER)
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(
                project=project, actor=users[by], access=access, email=email, role=role, site_url=SITE
            )

    return make


def sign_up(client, email: str, username: str = "newcomer", next_url: str = ""):
    """Sign up through allauth's page, then follow the emailed confirmation link (POST, as the page does)."""
    mail.outbox.clear()
    url = "/accounts/signup/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"email": email, "username": username, "password1": "a-long-passphrase-42",
                                 "password2": "a-long-passphrase-42"})  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    (message,) = mail.outbox
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
    return client.post(link, follow=True)


# ---- creating: the service, the members page, the API --------------------------------------------


def test_invite_sends_one_email_with_a_link_and_stores_only_the_hash(invite, project, users):
    invitation, token = invite("New@Example.com ", role=Role.VIEWER)
    assert invitation.email == "new@example.com" and invitation.role == "viewer"
    assert invitation.invited_by == users["owner"] and invitation.status == "pending"
    assert invitation.token_hash == Invitation.hash_token(token) and token not in invitation.token_hash
    assert timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.subject == "[Threadline] owner invited you to Payments API"
    assert message.body.startswith("Hello from Threadline!")
    assert f"http://testserver/projects/invitations/{token}/" in message.body
    assert "as viewer" in message.body
    change = ObjectChange.objects.get(object_id=str(invitation.pk), content_type__model="invitation")
    assert change.action == "create" and change.after["email"] == "new@example.com"
    assert "token_hash" not in change.after
    assert not any(token in str(c.after) or invitation.token_hash in str(c.after) for c in ObjectChange.objects.all())


def test_site_name_and_days_come_from_settings(invite, settings):
    settings.SITE_NAME = "Acme Portal"
    settings.INVITATION_DAYS = 3
    invitation, _ = invite()
    assert mail.outbox[0].subject.startswith("[Acme Portal] ") and "Hello from Acme Portal!" in mail.outbox[0].body
    assert invitation.expires_at - timezone.now() <= timedelta(days=3)


def test_inviting_again_refreshes_the_pending_invitation(invite, project, users):
    first, old_token = invite(role=Role.VIEWER)
    second, new_token = invite(role=Role.MEMBER, by="maintainer")
    assert second.pk == first.pk and Invitation.objects.count() == 1
    second.refresh_from_db()
    assert (second.role, second.invited_by) == ("member", users["maintainer"])
    assert second.token_hash == Invitation.hash_token(new_token) != Invitation.hash_token(old_token)
    assert len(mail.outbox) == 2
    change = ObjectChange.objects.filter(content_type__model="invitation").latest("pk")
    assert change.verb == "sent again" and "token_hash" not in change.before | change.after


def test_an_expired_invitation_is_refreshed_not_doubled(invite):
    invitation, _ = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    again, _ = invite()
    assert again.pk == invitation.pk and again.status == "pending" and Invitation.objects.count() == 1


def test_after_a_revoke_a_new_invitation_is_made(invite, project, users):
    invitation, _ = invite()
    services.invitation_revoke(invitation=invitation, actor=users["owner"], access=ProjectAccess.system(project))
    again, _ = invite()
    assert again.pk != invitation.pk and Invitation.objects.open().count() == 1


@pytest.mark.parametrize("role", ["owner", "maintainer", "member", "viewer"])
def test_inviting_a_member_is_a_clear_error(invite, users, role):
    before = state()
    with pytest.raises(ValidationError) as error:
        invite(f"{role}@example.com")
    assert f"belongs to {role}, already a member of this project" in str(error.value)
    assert state() == before and mail.outbox == []


def test_inviting_a_members_secondary_email_is_refused(invite, users):
    EmailAddress.objects.create(user=users["member"], email="second@example.com", verified=True)
    with pytest.raises(ValidationError):
        invite("second@example.com")


def test_an_account_that_is_not_a_member_can_be_invited(invite):
    make_user("stranger")
    invitation, _ = invite("stranger@example.com")
    assert invitation.status == "pending"


@pytest.mark.parametrize("email", ["not-an-email", "a@", "", "two@example.com, three@example.com"])
def test_malformed_email_is_refused(invite, email):
    before = state()
    with pytest.raises(ValidationError) as error:
        invite(email)
    assert "email" in error.value.message_dict
    assert state() == before


def test_maintainer_cant_invite_an_owner_and_members_cant_invite(invite):
    before = state()
    with pytest.raises(PermissionDenied, match="Only an owner"):
        invite(role=Role.OWNER, by="maintainer")
    for role in ("member", "viewer"):
        with pytest.raises(PermissionDenied):
            invite(by=role)
    assert state() == before and mail.outbox == []
    invitation, _ = invite(role=Role.OWNER, by="owner")
    assert invitation.role == "owner"


def test_unknown_role_is_refused(invite):
    with pytest.raises(ValidationError, match="Unknown role"):
        invite(role="admin")


@pytest.mark.parametrize("role", ROLES)
def test_members_page_invite_by_role(client_as, project, role, django_capture_on_commit_callbacks):
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(role).post(MEMBERS_PAGE, {"action": "invite", "email": "new@example.com",
                                                       "role": "member"})  # fmt: skip
    assert response.status_code == expected_status(role, "maintainer", 302)
    if response.status_code == 302:
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role) == ("new@example.com", "member")
        assert ObjectChange.objects.get(content_type__model="invitation").via == "ui"
        assert len(mail.outbox) == 1 and "http://testserver/projects/invitations/" in mail.outbox[0].body
    else:
        assert state() == before and mail.outbox == []


def test_members_page_refusals_change_nothing(client_as, project):
    before = state()
    client = client_as("maintainer")
    malformed = client.post(MEMBERS_PAGE, {"action": "invite", "email": "nope@", "role": "member"})
    assert malformed.status_code == 400 and "Enter a valid email address." in malformed.content.decode()
    assert client.post(MEMBERS_PAGE, {"action": "invite", "email": "x@example.com", "role": "owner"}).status_code == 403
    member = client.post(MEMBERS_PAGE, {"action": "invite", "email": "member@example.com", "role": "viewer"})
    assert member.status_code == 400 and "already a member of this project" in member.content.decode()
    assert state() == before and mail.outbox == []


def test_adding_an_unknown_email_offers_the_invitation(client_as, project):
    before = state()
    client = client_as("owner")
    response = client.post(MEMBERS_PAGE, {"user": "Someone@Example.com", "role": "viewer"})
    html = response.content.decode()
    assert response.status_code == 200 and "No active user" not in html
    assert "Invite someone@example.com as viewer" in html
    assert 'name="action" value="invite"' in html and 'name="email" value="someone@example.com"' in html
    assert state() == before  # only offered
    unknown_name = client.post(MEMBERS_PAGE, {"user": "ghost", "role": "viewer"})
    assert unknown_name.status_code == 400 and "Invite" not in unknown_name.content.decode().split("Add a teammate")[0]


def test_members_page_lists_pending_invitations_for_maintainers_only(client_as, invite, users):
    invite("pending@example.com", role=Role.VIEWER)
    revoked, _ = invite("revoked@example.com")
    services.invitation_revoke(invitation=revoked, actor=users["owner"], access=ProjectAccess.system(revoked.project))
    expired, _ = invite("expired@example.com")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    for role in ("owner", "maintainer"):
        html = client_as(role).get(MEMBERS_PAGE).content.decode()
        assert "Pending invitations" in html and "pending@example.com" in html
        assert "revoked@example.com" not in html and "expired@example.com" not in html
    for role in ("member", "viewer"):
        html = client_as(role).get(MEMBERS_PAGE).content.decode()
        assert "Pending invitations" not in html and "pending@example.com" not in html


def test_members_page_queries_dont_grow_with_invitations(client_as, invite, project, users):
    client = client_as("owner")
    for n in range(3):
        invite(f"p{n}@example.com")
    client.get(MEMBERS_PAGE)
    few = assert_queries(7, lambda: client.get(MEMBERS_PAGE), "members page, 3 invitations")
    for n in range(3, 30):
        Invitation.objects.create(project=project, email=f"p{n}@example.com", invited_by=users["maintainer"],
                                  token_hash=f"{n:064}")  # fmt: skip
    many = assert_queries(7, lambda: client.get(MEMBERS_PAGE), "members page, 30 invitations")
    assert few.status_code == many.status_code == 200 and many.content.decode().count('/revoke/"') == 30


# ---- revoking --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_revoke_on_the_members_page_by_role(client_as, invite, role):
    invitation, token = invite()
    before = state()
    response = client_as(role).post(f"{MEMBERS_PAGE}invitations/{invitation.pk}/revoke/")
    assert response.status_code == expected_status(role, "maintainer", 302)
    invitation.refresh_from_db()
    assert (invitation.status == "revoked") is (response.status_code == 302)
    if response.status_code != 302:
        assert state() == before
    else:
        assert ObjectChange.objects.filter(verb="revoked", via="ui").count() == 1


def test_a_maintainer_cant_revoke_an_owners_invitation(client_as, invite):
    invitation, _ = invite(role=Role.OWNER)
    assert client_as("maintainer").post(f"{MEMBERS_PAGE}invitations/{invitation.pk}/revoke/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_revoking_an_invitation_of_another_project_is_404(client_as, invite, other_project, users):
    invitation, _ = invite()
    Invitation.objects.filter(pk=invitation.pk).update(project=other_project)
    assert client_as("owner").post(f"{MEMBERS_PAGE}invitations/{invitation.pk}/revoke/").status_code == 404


def test_revoking_twice_changes_nothing_and_an_accepted_one_cant_be_revoked(invite, project, users):
    invitation, _ = invite("newbie@example.com")
    system = ProjectAccess.system(project)
    services.invitation_revoke(invitation=invitation, actor=users["owner"], access=system)
    before = state()
    services.invitation_revoke(invitation=invitation, actor=users["owner"], access=system)
    assert state() == before
    other, _ = invite("newbie@example.com")
    services.invitation_accept(invitation=other, user=make_user("newbie"))
    with pytest.raises(ValidationError, match="already accepted"):
        services.invitation_revoke(invitation=other, actor=users["owner"], access=system)


# ---- the invitation page ----------------------------------------------------------------------------


def test_unknown_or_malformed_token_is_404(client, client_as, invite):
    invite()
    for token in ("nope", "x" * 43, "../members"):
        assert client.get(f"/projects/invitations/{token}/").status_code == 404
        assert client_as("outsider").post(f"/projects/invitations/{token}/").status_code == 404


def test_anonymous_visitor_sees_who_invites_to_what_and_the_ways_in(client, invite):
    _, token = invite(role=Role.VIEWER)
    response = client.get(page_url(token))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Join Payments API" in html and "viewer" in html and "owner" in html and "new@example.com" in html
    nxt = f"?next=/projects/invitations/{token}/"
    assert f'href="/accounts/signup/{nxt}"' in html and f'href="/accounts/login/{nxt}"' in html
    post = client.post(page_url(token))  # not logged in: log in first, then back here
    assert post.status_code == 302 and post["Location"].startswith("/accounts/login/?next=")


def test_a_logged_in_invitee_joins_with_the_invited_role(client, invite, project, users):
    invitation, token = invite(role=Role.MAINTAINER)
    newbie = make_user("newbie")
    EmailAddress.objects.create(user=newbie, email="new@example.com", verified=True)
    client.force_login(newbie)
    assert "Join Payments API</button>" in client.get(page_url(token)).content.decode()
    response = client.post(page_url(token), follow=True)
    assert response.redirect_chain[-1][0] == "/projects/payments-api/"
    assert "Welcome to Payments API: you are a maintainer here." in response.content.decode()
    assert Membership.objects.get(project=project, user=newbie).role == "maintainer"
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by == newbie
    changes = ObjectChange.objects.filter(actor=newbie).order_by("pk")
    assert [(c.content_type.model, c.action, c.via) for c in changes] == [
        ("membership", "create", "ui"), ("invitation", "update", "ui")]
    assert changes[0].message == "accepted an invitation from owner" and changes[1].verb == "accepted"
    # Back on the link later: straight to the project.
    assert client.get(page_url(token))["Location"] == "/projects/payments-api/"


def test_accepting_with_another_email_is_a_clear_error(client, invite):
    _, token = invite()
    someone = make_user("someone")
    EmailAddress.objects.create(user=someone, email="new@example.com", verified=False)  # not confirmed
    client.force_login(someone)
    page = client.get(page_url(token)).content.decode()
    assert "not a verified email address of your account (someone)" in page and "Join Payments API</button>" not in page
    before = state()
    response = client.post(page_url(token))
    assert response.status_code == 400
    assert "This invitation is for new@example.com, which is not a verified email address" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("how,heading,words", [
    ("expired", "This invitation has expired", "Ask owner to invite you again"),
    ("revoked", "This invitation was revoked", "Ask owner to invite you again"),
    ("used", "This invitation has already been used", "An invitation link works once"),
])  # fmt: skip
def test_expired_revoked_or_used_invitations_say_which_and_change_nothing(client, invite, project, users, how,
                                                                          heading, words):  # fmt: skip
    invitation, token = invite()
    if how == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "revoked":
        services.invitation_revoke(invitation=invitation, actor=users["owner"], access=ProjectAccess.system(project))
    else:
        first = make_user("first")
        EmailAddress.objects.create(user=first, email="new@example.com", verified=True)
        services.invitation_accept(invitation=invitation, user=first)
    second = make_user("second")
    before = state()
    for visitor in (None, second):
        if visitor:
            client.force_login(visitor)
        response = client.get(page_url(token))
        html = response.content.decode()
        assert response.status_code == 410 and heading in html and words in html
        assert "Join Payments API</button>" not in html and "Sign up" not in html.split("<main")[1]
    response = client.post(page_url(token))
    assert response.status_code == 410 and words in response.content.decode()
    assert state() == before
    assert not Membership.objects.filter(user=second).exists()


def test_a_member_already_keeps_their_role_and_the_invitation_is_used(client, invite, project, users):
    invitation, token = invite("viewer-work@example.com", role=Role.OWNER)
    EmailAddress.objects.create(user=users["viewer"], email="viewer-work@example.com", verified=True)
    client.force_login(users["viewer"])
    assert "You are already a member of Payments API (viewer)" in client.get(page_url(token)).content.decode()
    client.post(page_url(token))
    assert Membership.objects.get(project=project, user=users["viewer"]).role == "viewer"
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


# ---- signing up through the invitation: accepted when the email is confirmed -------------------------


def test_signing_up_from_the_invitation_lands_in_the_project(client, invite, project):
    invitation, token = invite(role=Role.VIEWER)
    response = sign_up(client, "new@example.com", next_url=page_url(token))
    assert response.redirect_chain[-1][0] == "/projects/payments-api/"
    assert Membership.objects.get(project=project, user__username="newcomer").role == "viewer"
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by.username == "newcomer"
    assert "you joined Payments API (viewer)" in response.content.decode()


def test_signing_up_without_the_link_also_lands_in_the_project(client, invite, project):
    invite()
    response = sign_up(client, "NEW@example.com")
    assert response.redirect_chain[-1][0] == "/projects/payments-api/"
    assert Membership.objects.get(project=project, user__username="newcomer").role == "member"


def test_signing_up_with_another_email_joins_nothing(client, invite, project):
    invitation, token = invite()
    response = sign_up(client, "other@example.com", next_url=page_url(token))
    assert response.redirect_chain[-1][0] == page_url(token)
    assert "not a verified email address of your account (newcomer)" in response.content.decode()
    assert not Membership.objects.filter(user__username="newcomer").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_confirming_an_expired_invitations_email_joins_nothing(client, invite):
    invitation, _ = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = sign_up(client, "new@example.com")
    assert response.redirect_chain[-1][0] == "/projects/"
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_an_existing_user_logs_in_from_the_invitation_and_joins(client, invite, project, users):
    stranger = make_user("stranger")
    _, token = invite("stranger@example.com")
    response = client.post(f"/accounts/login/?next={page_url(token)}", {"login": "stranger", "password": PASSWORD},
                           follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == page_url(token)
    client.post(page_url(token))
    assert Membership.objects.get(project=project, user=stranger).role == "member"


# ---- the API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_by_role(api_as, invite, role, django_capture_on_commit_callbacks):
    invitation, _ = invite("first@example.com")
    api = api_as(role)
    assert api.get(f"{BASE}/invitations/").status_code == expected_status(role, "maintainer", 200)
    assert api.get(f"{BASE}/invitations/{invitation.pk}/").status_code == expected_status(role, "maintainer", 200)
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"{BASE}/invitations/", {"email": "second@example.com", "role": "viewer"})
    assert created.status_code == expected_status(role, "maintainer", 201)
    revoked = api.delete(f"{BASE}/invitations/{invitation.pk}/")
    assert revoked.status_code == expected_status(role, "maintainer", 204)
    if created.status_code != 201:
        assert state() == before and len(mail.outbox) == 1  # the fixture's only


def test_api_create_answers_without_the_token(api_as, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as("maintainer").post(f"{BASE}/invitations/", {"email": "New@Example.com", "role": "member"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "role", "status", "invited_by", "created_at", "expires_at", "accepted_at",
                         "accepted_by", "revoked_at"}  # fmt: skip
    assert (body["email"], body["role"], body["status"], body["invited_by"]) == (
        "new@example.com", "member", "pending", "maintainer")
    token = re.search(r"/projects/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert token not in response.content.decode()
    assert Invitation.objects.get().token_hash not in response.content.decode()
    assert ObjectChange.objects.get(content_type__model="invitation").via == "api"


def test_api_list_and_status_filter(api_as, invite, project, users):
    invite("a@example.com")
    revoked, _ = invite("b@example.com")
    services.invitation_revoke(invitation=revoked, actor=users["owner"], access=ProjectAccess.system(project))
    api = api_as("owner")
    rows = api.get(f"{BASE}/invitations/").json()["results"]
    assert [(r["email"], r["status"]) for r in rows] == [("b@example.com", "revoked"), ("a@example.com", "pending")]
    pending = api.get(f"{BASE}/invitations/", {"status": "pending"}).json()["results"]
    assert [r["email"] for r in pending] == ["a@example.com"]
    assert api.get(f"{BASE}/invitations/", {"status": "bogus"}).status_code == 400


def test_status_filter_agrees_with_each_invitations_status(api_as, invite, project, users):
    pending, _ = invite("pending@example.com")
    revoked, _ = invite("revoked@example.com")
    services.invitation_revoke(invitation=revoked, actor=users["owner"], access=ProjectAccess.system(project))
    expired, _ = invite("expired@example.com")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    accepted, _ = invite("accepted@example.com")
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now(), accepted_by=users["member"])
    api = api_as("owner")
    for status in Invitation.Status.values:
        rows = api.get(f"{BASE}/invitations/", {"status": status}).json()["results"]
        expected = [i.email for i in Invitation.objects.filter(project=project) if i.status == status]
        assert [r["email"] for r in rows] == expected and len(expected) == 1, status


def test_api_list_queries_are_constant(api_as, invite, project, users):
    api = api_as("owner")
    invite("a@example.com")
    api.get(f"{BASE}/invitations/")
    assert_queries(4, lambda: api.get(f"{BASE}/invitations/"), "invitations api, 1")
    for n in range(30):
        Invitation.objects.create(project=project, email=f"p{n}@example.com", invited_by=users["maintainer"],
                                  accepted_by=users["member"], accepted_at=timezone.now(), token_hash=f"{n:064}")
    assert_queries(4, lambda: api.get(f"{BASE}/invitations/"), "invitations api, 31")


def test_api_refusals(api_as, invite, project, other_project, users):
    invitation, _ = invite(role=Role.OWNER)
    maintainer, owner, read_only = api_as("maintainer"), api_as("owner"), api_as("owner", read_only=True)
    before = state()
    assert maintainer.post(f"{BASE}/invitations/", {"email": "x@example.com", "role": "owner"}).status_code == 403
    assert maintainer.delete(f"{BASE}/invitations/{invitation.pk}/").status_code == 403  # an owner's invitation
    malformed = maintainer.post(f"{BASE}/invitations/", {"email": "not-an-email", "role": "member"})
    assert malformed.status_code == 400 and "email" in malformed.json()["errors"]
    member = maintainer.post(f"{BASE}/invitations/", {"email": "viewer@example.com", "role": "member"})
    assert member.status_code == 400 and "already a member" in member.json()["errors"]["email"][0]
    bad_role = maintainer.post(f"{BASE}/invitations/", {"email": "x@example.com", "role": "admin"})
    assert bad_role.status_code == 400
    assert read_only.post(f"{BASE}/invitations/", {"email": "x@example.com"}).status_code == 403
    assert read_only.delete(f"{BASE}/invitations/{invitation.pk}/").status_code == 403
    for bad in ("abc", "999999", "{invitation_id}"):
        assert owner.delete(f"{BASE}/invitations/{bad}/").status_code == 404
    assert owner.post("/api/v1/projects/secret/invitations/", {"email": "x@example.com"}).status_code == 404
    assert state() == before and mail.outbox[1:] == []


def test_api_revoke_then_the_link_is_dead(api_as, client, invite):
    invitation, token = invite()
    assert api_as("maintainer").delete(f"{BASE}/invitations/{invitation.pk}/").status_code == 204
    assert api_as("maintainer").delete(f"{BASE}/invitations/{invitation.pk}/").status_code == 204  # harmless
    assert api_as("owner").get(f"{BASE}/invitations/{invitation.pk}/").json()["status"] == "revoked"
    assert client.get(page_url(token)).status_code == 410


def test_api_member_add_of_an_unknown_user_says_how_to_invite(api_as, project):
    response = api_as("owner").post(f"{BASE}/members/", {"user": "ghost@example.com", "role": "member"})
    assert response.status_code == 400
    message = response.json()["errors"]["user"][0]
    assert "No active user with username or email 'ghost@example.com'" in message
    assert "POST" in message and "/api/v1/projects/payments-api/invitations/" in message
