"""API tokens: Bearer auth, scope (projects, read-only), expiry, revocation, hashing, last use."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create
from apps.core.models import ObjectChange

BASE = "/api/v1/projects/payments-api"


def bearer(raw):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def secret_in_database(secret: str) -> list[str]:
    """Every table and row where the secret appears as text (it never should)."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from the schema
            for row in cursor.fetchall():
                if any(secret in str(value) for value in row):
                    hits.append(table)
    return hits


@pytest.mark.smoke
@pytest.mark.parametrize(
    "header,detail",
    [
        ("Bearer tl_not-a-real-token", "Invalid token."),
        ("Bearer", "Malformed Authorization header: use 'Bearer <token>'."),
        ("Bearer a b", "Malformed Authorization header: use 'Bearer <token>'."),
        (None, "Authentication credentials were not provided."),
    ],
)
def test_bad_credentials_are_401_with_www_authenticate(project, header, detail):
    api = APIClient()
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["status"] == 401 and response.json()["detail"] == detail


@pytest.mark.smoke
def test_token_works_records_last_use_and_is_stored_hashed(users, project):
    token, raw = api_token_create(user=users["member"], name="ci")
    assert raw.startswith("tl_") and token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.last_used_at is None
    response = bearer(raw).get(f"{BASE}/")
    assert response.status_code == 200 and response.json()["role"] == "member"
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)
    assert secret_in_database(raw) == []
    # The change log's snapshot of the token leaves the hash out too.
    entry = ObjectChange.objects.get(object_repr=str(token))
    assert "key_hash" not in entry.after and token.key_hash not in str(entry.after)


def test_last_use_written_at_most_once_a_minute(users, project, django_assert_num_queries):
    token, raw = api_token_create(user=users["member"], name="ci")
    api = bearer(raw)
    api.get(f"{BASE}/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    api.get(f"{BASE}/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    api.get(f"{BASE}/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


@pytest.mark.parametrize(
    "change,detail",
    [
        ({"revoked_at": timezone.now()}, "This token has been revoked."),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "This token has expired."),
    ],
)
def test_revoked_or_expired_token_is_401(users, project, change, detail):
    token, raw = api_token_create(user=users["member"], name="ci", expires_in_days=30)
    ApiToken.objects.filter(pk=token.pk).update(**change)
    response = bearer(raw).get("/api/v1/projects/")
    assert response.status_code == 401 and response.json()["detail"] == detail
    assert "WWW-Authenticate" in response


def test_inactive_user_token_is_401(users, project):
    _, raw = api_token_create(user=users["member"], name="ci")
    users["member"].is_active = False
    users["member"].save()
    assert bearer(raw).get("/api/v1/projects/").status_code == 401


@pytest.mark.smoke
def test_read_only_token_reads_but_never_writes(api_as, project):
    api = api_as("owner", read_only=True)
    assert api.get(f"{BASE}/").status_code == 200
    for method, path, body in [
        ("patch", f"{BASE}/", {"name": "x"}),
        ("post", "/api/v1/projects/", {"name": "New", "slug": "new-one"}),
        ("post", f"{BASE}/members/", {"user": "outsider"}),
        ("delete", f"{BASE}/members/viewer/", None),
        ("delete", f"{BASE}/", None),
    ]:
        response = getattr(api, method)(path, body)
        assert response.status_code == 403, (method, path)
        assert response.json()["detail"] == "This API token is read-only."


def test_project_restricted_token(api_as, users, project):
    from apps.projects.services import project_create

    project_create(actor=users["owner"], name="Billing", slug="billing")
    api = api_as("owner", projects=[project])
    assert [p["slug"] for p in api.get("/api/v1/projects/").json()["results"]] == ["payments-api"]
    assert api.get(f"{BASE}/members/").status_code == 200
    for path in ["/api/v1/projects/billing/", "/api/v1/projects/billing/members/",
                 "/api/v1/projects/billing/activity/"]:
        assert api.get(path).status_code == 404, path
    assert api.patch("/api/v1/projects/billing/", {"name": "x"}).status_code == 404
    response = api.post("/api/v1/projects/", {"name": "New", "slug": "new-one"})
    assert response.status_code == 403 and "limited to some projects" in response.json()["detail"]
    # A session user (no token) is not restricted.
    from rest_framework.test import APIClient as Session

    session = Session()
    session.force_login(users["owner"])
    assert session.get("/api/v1/projects/billing/").status_code == 200


def test_token_for_project_user_is_not_member_of_is_refused(users, project, other_project):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a member of: secret"):
        api_token_create(user=users["member"], name="x", projects=[other_project])
    with pytest.raises(ValidationError):
        api_token_create(user=users["member"], name="x", expires_in_days=0)
    assert not ApiToken.objects.exists()


def test_session_auth_works_and_enforces_csrf(users, project):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(users["owner"])
    assert api.get(f"{BASE}/").status_code == 200
    response = api.patch(f"{BASE}/", {"name": "x"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


# --- the tokens page --------------------------------------------------------------------------


def test_token_page_shows_secret_once_and_never_stores_it(client_as, users, project):
    client = client_as("member")
    response = client.post("/account/tokens/", {"name": "CI pipeline", "read_only": "on",
                                                 "projects": [project.pk], "expires_in_days": "30"}, follow=True)
    html = response.content.decode()
    secret = re.search(r'id="new-token-value" value="(tl_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(name="CI pipeline")
    assert token.read_only and list(token.projects.all()) == [project]
    assert 29 <= (token.expires_at - timezone.now()).days <= 30
    assert token.key_hint == secret[:10] and token.key_hint in html
    # Shown once: the next visit doesn't reveal it, and it is nowhere in the database (sessions too).
    assert secret not in client.get("/account/tokens/").content.decode()
    assert secret_in_database(secret) == []
    assert bearer(secret).get(f"{BASE}/").status_code == 200
    entry = ObjectChange.objects.get(object_repr=str(token))
    assert (entry.action, entry.via, entry.actor) == ("create", "ui", users["member"])


def test_token_page_rejects_projects_you_are_not_in(client_as, project, other_project):
    response = client_as("member").post("/account/tokens/", {"name": "x", "projects": [other_project.pk]})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_from_page(client_as, users, project):
    token, raw = api_token_create(user=users["member"], name="ci")
    client = client_as("member")
    assert bearer(raw).get("/api/v1/projects/").status_code == 200
    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert "Revoked" in response.content.decode()
    assert bearer(raw).get("/api/v1/projects/").status_code == 401
    token.refresh_from_db()
    assert token.status == "revoked"
    entry = ObjectChange.objects.get(verb="revoked")
    assert entry.via == "ui" and entry.before["revoked_at"] is None and entry.after["revoked_at"]
    # Revoking twice changes nothing and logs nothing.
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert ObjectChange.objects.filter(verb="revoked").count() == 1


def test_cannot_revoke_someone_elses_token(client_as, users, project):
    token, _ = api_token_create(user=users["owner"], name="ci")
    assert client_as("member").post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client_as("member").get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_list_shows_only_your_tokens(client_as, users, project):
    api_token_create(user=users["owner"], name="owners-token")
    api_token_create(user=users["member"], name="members-token")
    html = client_as("member").get("/account/tokens/").content.decode()
    assert "members-token" in html and "owners-token" not in html


def test_purge_deletes_only_long_dead_tokens(users):
    from apps.accounts.services import api_tokens_purge

    alive, _ = api_token_create(user=users["member"], name="alive")
    recent, _ = api_token_create(user=users["member"], name="recently revoked")
    old, _ = api_token_create(user=users["member"], name="old")
    ApiToken.objects.filter(pk=recent.pk).update(revoked_at=timezone.now() - timedelta(days=1))
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=400))
    assert api_tokens_purge() == 1
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"alive", "recently revoked"}
    assert set(ApiToken.objects.alive().values_list("name", flat=True)) == {"alive"}


def test_profile_update_logged(client_as, users):
    client = client_as("member")
    response = client.post("/account/profile/", {"first_name": "Mem", "last_name": "Ber"})
    assert response.status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].get_full_name() == "Mem Ber"
    entry = ObjectChange.objects.get(action="update", object_repr="member")
    assert entry.via == "ui" and entry.after["first_name"] == "Mem"
    assert "password" not in entry.after, "the password hash must not be copied into the change log"
