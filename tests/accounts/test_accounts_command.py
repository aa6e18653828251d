"""manage.py create_api_token prints a working token, and refuses unknown users and projects."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.core.models import ObjectChange


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_prints_a_working_token(users, project):
    raw = run("member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/projects/payments-api/").status_code == 200
    assert api.patch("/api/v1/projects/payments-api/members/viewer/", {"role": "member"}).status_code == 403
    token = ApiToken.objects.get()
    assert not token.read_only and token.expires_at is None and not token.projects.exists()
    assert token.all_projects
    assert ObjectChange.objects.get(object_repr=str(token)).via == "cli"


def test_options(users, project, other_project):
    from apps.projects.models import Membership

    Membership.objects.create(project=other_project, user=users["member"], role="viewer")
    raw = run("member", "--project", "payments-api", "--read-only", "--expires-days", "7", "--name", "deploy")
    token = ApiToken.objects.get(name="deploy")
    assert token.read_only and [p.slug for p in token.projects.all()] == ["payments-api"]
    assert not token.all_projects
    assert 6 <= (token.expires_at - token.created_at).days <= 7
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/projects/secret/").status_code == 404
    assert api.patch("/api/v1/projects/payments-api/", {"name": "x"}).status_code == 403


@pytest.mark.parametrize(
    "args,message",
    [
        (["ghost"], "No user named 'ghost'."),
        (["member", "--project", "nope"], "No project with slug: nope."),
        (["member", "--project", "secret"], "You are not a member of: secret."),
        (["member", "--expires-days", "0"], "Choose between 1 and 3650 days"),
    ],
)
def test_errors(users, project, other_project, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


def test_a_limited_token_stays_limited_when_its_project_is_deleted(users, project, other_project):
    from apps.projects.models import Membership
    from apps.projects.services import project_delete

    Membership.objects.create(project=other_project, user=users["member"], role="viewer")
    raw = run("member", "--project", "payments-api")
    project_delete(project=project, actor=users["owner"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/projects/").json()["results"] == []
    assert api.get("/api/v1/projects/secret/").status_code == 404
