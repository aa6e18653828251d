"""Project pages, each tried by every role: outsider 404, short role 403, anonymous → login."""

import re

import pytest

from apps.core.models import ObjectChange
from apps.projects.models import Membership, Project
from tests.kit import ROLES as KIT_ROLES

ROLES = [*KIT_ROLES, "anonymous"]


def as_role(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


def expect(status_by_role: dict, default=200):
    return [(role, status_by_role.get(role, default)) for role in ROLES]


PAGES = {
    # name: (path, {role: status})
    "list": ("/projects/", {"anonymous": 302}),
    "create": ("/projects/new/", {"anonymous": 302}),
    "overview": ("/projects/payments-api/", {"outsider": 404, "anonymous": 302}),
    "members": ("/projects/payments-api/members/", {"outsider": 404, "anonymous": 302}),
    "activity": ("/projects/payments-api/activity/", {"outsider": 404, "anonymous": 302}),
    "settings": ("/projects/payments-api/settings/",
                 {"member": 403, "viewer": 403, "outsider": 404, "anonymous": 302}),
    "delete": ("/projects/payments-api/settings/delete/",
               {"maintainer": 403, "member": 403, "viewer": 403, "outsider": 404, "anonymous": 302}),
    "profile": ("/account/profile/", {"anonymous": 302}),
    "tokens": ("/account/tokens/", {"anonymous": 302}),
}
CASES = [(page, role, status) for page, (_, table) in PAGES.items() for role, status in expect(table)]


@pytest.mark.parametrize("page,role,status", CASES)
def test_page_by_role(client, users, project, page, role, status):
    response = as_role(client, users, role).get(PAGES[page][0])
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", ["list", "create", "members", "settings", "delete", "activity", "tokens", "profile"])
def test_form_inputs_have_labels(client_as, project, page):
    """Every visible input, select and textarea has a <label for=...> (keyboard and screen readers)."""
    html = client_as("owner").get(PAGES[page][0]).content.decode()
    form_html = "".join(re.findall(r"<form.*?</form>", html, re.S))
    controls = re.findall(r"<(input|select|textarea)\b([^>]*)>", form_html)
    ids = []
    for tag, attrs in controls:
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        found = re.search(r'\bid="([^"]+)"', attrs)
        assert found, f"{tag} without id: {attrs}"
        ids.append(found.group(1))
    assert ids
    for control_id in ids:
        assert f'for="{control_id}"' in html, control_id


POSTS = {
    # name: (path, data, {role: status}) — 302 is success (redirect), anonymous goes to login.
    "add member": ("/projects/payments-api/members/", {"user": "newbie", "role": "member"},
                   {"member": 403, "viewer": 403, "outsider": 404}),
    "settings": ("/projects/payments-api/settings/", {"name": "P", "slug": "payments-api", "description": ""},
                 {"member": 403, "viewer": 403, "outsider": 404}),
    "delete": ("/projects/payments-api/settings/delete/", {"confirm_slug": "payments-api"},
               {"maintainer": 403, "member": 403, "viewer": 403, "outsider": 404}),
    "leave": ("/projects/payments-api/members/leave/", {}, {"outsider": 404}),
}


@pytest.mark.parametrize(
    "action,role,status",
    [(a, r, s) for a, (_, _, t) in POSTS.items() for r, s in expect(t, default=302)],
)
def test_post_by_role(client, users, project, action, role, status):
    from tests.conftest import make_user

    make_user("newbie")
    path, data, _ = POSTS[action]
    response = as_role(client, users, role).post(path, data)
    if action == "leave" and role == "owner":
        # The last owner can't leave: the page says why and nothing changes.
        assert response.status_code == 302 and Membership.objects.filter(user=users["owner"]).exists()
        return
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "role,target,new_role,ok,status",
    [
        ("owner", "member", "maintainer", True, 200),
        ("owner", "member", "owner", True, 200),
        ("maintainer", "viewer", "member", True, 200),
        ("maintainer", "member", "owner", False, 403),  # maintainers can't grant owner (the README: 403)
        ("maintainer", "owner", "member", False, 403),  # ... nor alter an owner
        ("owner", "owner", "member", False, 200),  # the last owner can't be demoted: a message, not a 403
    ],
)
def test_change_role_ui(client_as, users, project, role, target, new_role, ok, status):
    membership = Membership.objects.get(project=project, user=users[target])
    response = client_as(role).post(f"/projects/payments-api/members/{membership.pk}/role/", {"role": new_role},
                                    follow=True)
    membership.refresh_from_db()
    assert (membership.role == new_role) is ok
    assert response.status_code == status


@pytest.mark.parametrize("role,status", [("member", 403), ("viewer", 403), ("outsider", 404)])
def test_change_role_ui_refused(client_as, users, project, role, status):
    membership = Membership.objects.get(project=project, user=users["viewer"])
    assert client_as(role).post(f"/projects/payments-api/members/{membership.pk}/role/",
                                {"role": "member"}).status_code == status
    response = client_as(role).post(f"/projects/payments-api/members/{membership.pk}/remove/")
    assert response.status_code == status
    assert Membership.objects.filter(pk=membership.pk, role="viewer").exists()


def test_add_by_email_change_role_remove(client_as, users, project):
    from tests.conftest import make_user

    newbie = make_user("newbie")
    client = client_as("maintainer")
    response = client.post("/projects/payments-api/members/", {"user": "NEWBIE@example.com", "role": "viewer"},
                           follow=True)
    assert "Added newbie as viewer." in response.content.decode()
    membership = Membership.objects.get(project=project, user=newbie)
    client.post(f"/projects/payments-api/members/{membership.pk}/role/", {"role": "member"})
    membership.refresh_from_db()
    assert membership.role == "member"
    client.post(f"/projects/payments-api/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_add_unknown_user_shows_error_and_saves_nothing(client_as, project):
    count = ObjectChange.objects.count(), Membership.objects.count()
    response = client_as("owner").post("/projects/payments-api/members/", {"user": "ghost", "role": "member"})
    assert response.status_code == 400
    assert "No active user with username or email" in response.content.decode()
    assert (ObjectChange.objects.count(), Membership.objects.count()) == count


def test_member_leaves_and_loses_access(client_as, users, project):
    client = client_as("member")
    response = client.post("/projects/payments-api/members/leave/")
    assert response["Location"] == "/projects/"
    assert client.get("/projects/payments-api/").status_code == 404


def test_last_owner_cannot_leave_but_can_after_promoting(client_as, users, project):
    client = client_as("owner")
    response = client.post("/projects/payments-api/members/leave/", follow=True)
    assert "last owner" in response.content.decode()
    maintainer = Membership.objects.get(project=project, user=users["maintainer"])
    client.post(f"/projects/payments-api/members/{maintainer.pk}/role/", {"role": "owner"})
    assert client.post("/projects/payments-api/members/leave/")["Location"] == "/projects/"


def test_create_project_ui(client_as, users):
    client = client_as("viewer")
    response = client.post("/projects/new/", {"name": "Orders", "slug": "orders", "description": "d"})
    assert response["Location"] == "/projects/orders/members/"
    assert Membership.objects.get(project__slug="orders").role == "owner"
    # A clashing or reserved slug is a clear form error.
    for slug, message in [("orders", "A project with this slug already exists."), ("admin", "is reserved")]:
        response = client.post("/projects/new/", {"name": "Other", "slug": slug})
        assert response.status_code == 200 and message in response.content.decode()
    assert Project.objects.count() == 1


def test_settings_rename_slug_and_archive(client_as, project):
    client = client_as("maintainer")
    response = client.post("/projects/payments-api/settings/",
                           {"name": "Pay", "slug": "pay", "description": "", "archived": "on"})
    assert response["Location"] == "/projects/pay/settings/"
    project.refresh_from_db()
    assert (project.slug, project.archived) == ("pay", True)
    # Archived: content writes refused, settings still editable (to unarchive), reads fine.
    assert client.get("/projects/pay/").status_code == 200
    response = client.post("/projects/pay/settings/", {"name": "Pay", "slug": "pay", "description": ""})
    assert response.status_code == 302
    project.refresh_from_db()
    assert not project.archived


def test_settings_invalid_slug_keeps_links_on_stored_slug(client_as, project, other_project, users):
    from apps.projects.models import Membership as M

    M.objects.create(project=other_project, user=users["owner"], role="viewer")
    response = client_as("owner").post("/projects/payments-api/settings/",
                                       {"name": "P", "slug": "secret", "description": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "A project with this slug already exists." in html
    assert "/projects/payments-api/members/" in html


def test_delete_needs_slug_confirmation(client_as, project):
    client = client_as("owner")
    response = client.post("/projects/payments-api/settings/delete/", {"confirm_slug": "wrong"}, follow=True)
    assert "Type the project&#x27;s slug" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()
    assert client.post("/projects/payments-api/settings/delete/",
                       {"confirm_slug": "payments-api"})["Location"] == "/projects/"
    assert not Project.objects.filter(pk=project.pk).exists()


def test_overview_shows_cards_activity_and_team(client_as, project):
    html = client_as("viewer").get("/projects/payments-api/").content.decode()
    assert "Requirements" in html and "Recent activity" in html and "You: viewer" in html
    assert "Settings" not in html  # viewers don't see the settings tab


def test_activity_page_newest_first_and_filters(client_as, users, project):
    client = client_as("owner")
    client.post("/projects/payments-api/settings/", {"name": "Renamed", "slug": "payments-api", "description": ""})
    html = client.get("/projects/payments-api/activity/").content.decode()
    assert html.index("Renamed") < html.index("owner (owner) in")  # newest first
    html = client.get("/projects/payments-api/activity/?object_type=projects.membership").content.decode()
    assert "owner (owner) in" in html and "<em>Renamed</em>" not in html
    html = client.get("/projects/payments-api/activity/?actor=nobody").content.decode()
    assert "No activity matches these filters." in html
    partial = client.get("/projects/payments-api/activity/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Renamed" in partial


def test_project_list_filters(client_as, project, users):
    from apps.projects.services import project_create

    project_create(actor=users["owner"], name="Billing", slug="billing")
    client = client_as("owner")
    html = client.get("/projects/?q=bill").content.decode()
    cards = re.findall(r'<h2 class="h5 card-title mb-1">(.*?)</h2>', html)
    assert cards == ["Billing"]
    html = client.get("/projects/").content.decode()
    assert re.findall(r'<h2 class="h5 card-title mb-1">(.*?)</h2>', html) == ["Billing", "Payments API"]
