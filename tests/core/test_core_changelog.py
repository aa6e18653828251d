"""The change log: every write through every door lands once, with actor, before/after and via."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create
from apps.accounts.tasks import api_tokens_purge_task
from apps.core.changelog import change_source, log_change, snapshot
from apps.core.models import ObjectChange
from apps.core.services import instance_save
from apps.projects.models import Membership, Project
from apps.projects.services import membership_add


def changes_of(model, **filters):
    ct = ContentType.objects.get_for_model(model)
    return ObjectChange.objects.filter(content_type=ct, **filters)


@pytest.mark.smoke
def test_ui_create_update_delete_logged_once_via_ui(client_as, users):
    client = client_as("member")
    client.post("/projects/new/", {"name": "Orders", "slug": "orders", "description": ""})
    project = Project.objects.get(slug="orders")
    created = changes_of(Project, object_id=str(project.pk))
    assert [(c.action, c.via, c.actor) for c in created] == [("create", "ui", users["member"])]
    assert created[0].after["slug"] == "orders" and created[0].before is None
    assert changes_of(Membership, project=project).get().action == "create"

    client.post("/projects/orders/settings/", {"name": "Orders API", "slug": "orders", "description": "x"})
    update = changes_of(Project, action="update").get()
    assert update.before["name"] == "Orders" and update.after["name"] == "Orders API"
    assert update.via == "ui" and set(update.changed_fields) == {"name", "description"}

    # Saving the same values again changes nothing and logs nothing.
    client.post("/projects/orders/settings/", {"name": "Orders API", "slug": "orders", "description": "x"})
    assert changes_of(Project, action="update").count() == 1

    client.post("/projects/orders/settings/delete/", {"confirm_slug": "orders"})
    deleted = changes_of(Project, action="delete").get()
    assert deleted.via == "ui" and deleted.before["slug"] == "orders" and deleted.actor == users["member"]


def test_api_writes_logged_via_api(api_as, project, users):
    api = api_as("owner")
    assert api.patch(f"/api/v1/projects/{project.slug}/", {"description": "new"}).status_code == 200
    assert api.patch(f"/api/v1/projects/{project.slug}/", {"description": "new"}).status_code == 200
    updates = changes_of(Project, action="update")
    assert [(c.via, c.actor, c.before["description"], c.after["description"]) for c in updates] == [
        ("api", users["owner"], "Demo", "new")
    ]
    api.delete(f"/api/v1/projects/{project.slug}/members/viewer/")
    assert changes_of(Membership, action="delete").get().via == "api"


def test_admin_change_and_delete_logged_via_admin(client, project, users):
    from tests.conftest import make_user

    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = f"/admin/projects/project/{project.pk}/change/"
    rows = list(Membership.objects.filter(project=project).order_by("user__username"))
    data = {"name": "Payments", "slug": project.slug, "description": "Demo",
            "memberships-TOTAL_FORMS": len(rows), "memberships-INITIAL_FORMS": len(rows),
            "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000}
    for i, m in enumerate(rows):
        role = "maintainer" if m.user == users["member"] else m.role  # one inline row changes
        data.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-project": project.pk,
                     f"memberships-{i}-user": m.user_id, f"memberships-{i}-role": role})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    change = changes_of(Project, action="update").get()
    assert (change.via, change.actor, change.before["name"], change.after["name"]) == (
        "admin", admin, "Payments API", "Payments")
    inline = changes_of(Membership, action="update").get()
    assert (inline.via, inline.before["role"], inline.after["role"]) == ("admin", "member", "maintainer")

    membership = Membership.objects.get(project=project, user=users["viewer"])
    response = client.post(f"/admin/projects/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = changes_of(Membership, action="delete").get()
    assert (deleted.via, deleted.actor, deleted.object_id) == ("admin", admin, str(membership.pk))
    assert deleted.project == project


def test_task_writes_logged_via_task(users):
    token, _ = api_token_create(user=users["member"], name="old")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now() - timedelta(days=400))
    assert api_tokens_purge_task.delay().get() == 1
    entry = changes_of(ApiToken, action="delete").get()
    assert entry.via == "task" and entry.actor is None and "key_hash" not in entry.before
    assert api_tokens_purge_task.delay().get() == 0  # idempotent


def test_failed_write_leaves_no_rows_and_no_entries(project, users):
    before = ObjectChange.objects.count(), Membership.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll back
        membership_add(project=project, actor=users["owner"], actor_role="owner", user="nobody")
    with pytest.raises(Exception):  # noqa: B017
        membership_add(project=project, actor=users["owner"], actor_role="owner", user="viewer")
    assert (ObjectChange.objects.count(), Membership.objects.count()) == before


def test_rolled_back_transaction_leaves_no_entry(project, users):
    count = ObjectChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        project.name = "Renamed"
        instance_save(instance=project, actor=users["owner"])
        raise RuntimeError("boom")
    assert ObjectChange.objects.count() == count


def test_log_change_skips_unchanged_updates(project, users):
    snap = snapshot(project)
    assert log_change(actor=users["owner"], instance=project, action="update", before=snap, after=snap) is None
    with change_source("cli"):
        entry = log_change(actor=None, instance=project, action="action", verb="pinged")
    assert entry.via == "cli" and entry.actor_name == "" and str(entry) == "system action Payments API"


def test_api_failures_leave_no_entries(api_as, project):
    api = api_as("maintainer")
    count = ObjectChange.objects.count()
    assert api.post("/api/v1/projects/", {"name": "Dup", "slug": project.slug}).status_code == 400
    assert api.post(f"/api/v1/projects/{project.slug}/members/", {"user": "ghost"}).status_code == 400
    assert api.post(f"/api/v1/projects/{project.slug}/members/", {"user": "outsider", "role": "owner"}
                    ).status_code == 403
    assert ObjectChange.objects.count() == count
    assert not Membership.objects.filter(project=project, user__username="outsider").exists()
