"""A token never gains scope: "all projects" is a property of the token, not "no project rows".

A token limited to projects that were deleted, or that its user left, sees nothing — never every
project its user belongs to.
"""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create
from apps.core.permissions import ProjectAccess
from apps.projects.models import Membership
from apps.projects.services import membership_remove, project_create, project_delete


def bearer(raw):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def slugs(api) -> list[str]:
    response = api.get("/api/v1/projects/")
    assert response.status_code == 200, response.content
    return [p["slug"] for p in response.json()["results"]]


@pytest.fixture
def billing(users):
    """A second project the member belongs to (the one a widened token would wrongly reach)."""
    billing = project_create(actor=users["owner"], name="Billing", slug="billing")
    Membership.objects.create(project=billing, user=users["member"], role="member")
    return billing


def test_token_whose_only_project_is_deleted_sees_nothing(users, project, billing):
    _, raw = api_token_create(user=users["member"], name="ci", projects=[project], all_projects=False)
    api = bearer(raw)
    assert slugs(api) == ["payments-api"]
    project_delete(project=project, actor=users["owner"])
    assert slugs(api) == []
    for path in ["/api/v1/projects/billing/", "/api/v1/projects/billing/members/",
                 "/api/v1/projects/payments-api/"]:
        assert api.get(path).status_code == 404, path
    assert api.patch("/api/v1/projects/billing/", {"name": "x"}).status_code == 404
    # Still limited: it can't create projects either (that would be a new scope).
    assert api.post("/api/v1/projects/", {"name": "New", "slug": "new-one"}).status_code == 403


def test_token_of_a_user_removed_from_its_project_sees_nothing(users, project, billing):
    _, raw = api_token_create(user=users["member"], name="ci", projects=[project], all_projects=False)
    api = bearer(raw)
    membership = Membership.objects.get(project=project, user=users["member"])
    membership_remove(membership=membership, actor=users["owner"], access=ProjectAccess.system(project))
    assert slugs(api) == []
    assert api.get("/api/v1/projects/payments-api/").status_code == 404
    assert api.get("/api/v1/projects/payments-api/members/").status_code == 404
    assert api.get("/api/v1/projects/billing/").status_code == 404


def test_limited_token_whose_project_rows_are_cleared_stays_limited(users, project, billing):
    token, raw = api_token_create(user=users["member"], name="ci", projects=[project], all_projects=False)
    token.projects.clear()
    api = bearer(raw)
    assert slugs(api) == []
    assert api.get("/api/v1/projects/payments-api/").status_code == 404
    assert api.get("/api/v1/projects/billing/").status_code == 404


def test_all_projects_token_sees_projects_joined_later(users, project):
    token, raw = api_token_create(user=users["member"], name="ci", all_projects=True)
    assert token.all_projects and not token.projects.exists()
    api = bearer(raw)
    assert slugs(api) == ["payments-api"]
    later = project_create(actor=users["owner"], name="Later", slug="later")
    assert api.get("/api/v1/projects/later/").status_code == 404
    Membership.objects.create(project=later, user=users["member"], role="viewer")
    assert slugs(api) == ["later", "payments-api"]
    assert api.get("/api/v1/projects/later/").status_code == 200


def test_the_service_sets_all_projects_explicitly(users, project):
    everything, _ = api_token_create(user=users["member"], name="all")
    limited, _ = api_token_create(user=users["member"], name="limited", projects=[project])
    assert everything.all_projects and not limited.all_projects
    with pytest.raises(ValidationError, match="all of your projects, or some"):
        api_token_create(user=users["member"], name="both", projects=[project], all_projects=True)
    with pytest.raises(ValidationError, match="Choose at least one project"):
        api_token_create(user=users["member"], name="neither", all_projects=False)
    assert ApiToken.objects.count() == 2


# --- the tokens page --------------------------------------------------------------------------


def test_token_page_offers_all_projects_ticked(client_as, project):
    html = client_as("member").get("/account/tokens/").content.decode()
    checkbox = html.split('name="all_projects"', 1)[1].split(">", 1)[0]
    assert "checked" in checkbox


@pytest.mark.parametrize(
    "data,status,all_projects,limited_to",
    [
        ({"all_projects": "on"}, 302, True, []),
        ({"projects": "PROJECT"}, 302, False, ["payments-api"]),
        ({"all_projects": "on", "projects": "PROJECT"}, 400, None, None),
        ({}, 400, None, None),
    ],
)
def test_token_page_sets_scope_explicitly(client_as, project, data, status, all_projects, limited_to):
    data = {key: project.pk if value == "PROJECT" else value for key, value in data.items()}
    response = client_as("member").post("/account/tokens/", {"name": "scoped", **data})
    assert response.status_code == status
    token = ApiToken.objects.filter(name="scoped").first()
    if status == 400:
        assert token is None
        return
    assert token.all_projects is all_projects
    assert [p.slug for p in token.projects.all()] == limited_to


def test_token_page_shows_a_limited_token_with_no_projects_left(client_as, users, project):
    api_token_create(user=users["member"], name="orphan", projects=[project], all_projects=False)
    api_token_create(user=users["member"], name="everything", all_projects=True)
    project_delete(project=project, actor=users["owner"])
    html = client_as("member").get("/account/tokens/").content.decode()
    assert "no projects left" in html and "all projects" in html


# --- the data migration -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_tokens_without_projects_all_and_limits_the_others():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0002_verbose_name")], [("accounts", "0003_apitoken_all_projects")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="legacy")
    project = old.get_model("projects", "Project").objects.create(name="P", slug="p")
    OldToken = old.get_model("accounts", "ApiToken")
    OldToken.objects.create(user=user, name="everything", key_hash="a" * 64, key_hint="tl_a")
    OldToken.objects.create(user=user, name="limited", key_hash="b" * 64, key_hint="tl_b").projects.add(project)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("accounts", "ApiToken")
    assert dict(new.objects.values_list("name", "all_projects")) == {"everything": True, "limited": False}


def test_the_admin_cannot_widen_a_token(client, users, project):
    token, _ = api_token_create(user=users["member"], name="limited", projects=[project])
    users["owner"].is_staff = users["owner"].is_superuser = True
    users["owner"].save()
    client.force_login(users["owner"])
    url = f"/admin/accounts/apitoken/{token.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="all_projects"' not in page.content.decode()
    client.post(url, {"name": "renamed", "all_projects": "on", "projects": [], "user": users["member"].pk})
    token.refresh_from_db()
    assert not token.all_projects and list(token.projects.all()) == [project]
