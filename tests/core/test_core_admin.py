"""The admin is one more door onto the services: its saves and deletes do what the pages and the API do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import ObjectChange
from apps.projects.models import Membership
from apps.requirements import services as requirement_services
from apps.requirements.models import Label, Requirement
from apps.testruns import services as testrun_services
from apps.testruns.models import ReportUpload, TestRun
from tests.testruns.testruns_support import junit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, users):
    users["owner"].is_staff = users["owner"].is_superuser = True
    users["owner"].save()
    client.force_login(users["owner"])
    return client


def _requirement_form(requirement, **changes) -> dict:
    data = {
        "title": requirement.title, "description": requirement.description, "type": requirement.type,
        "category": requirement.category, "priority": requirement.priority, "owner": "", "parent": "",
        "rationale": "", "source": "", "project": requirement.project_id,
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "1", "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    criterion = requirement.criteria.get()
    data.update({"criteria-0-id": criterion.pk, "criteria-0-requirement": requirement.pk,
                 "criteria-0-position": 0, "criteria-0-text": criterion.text})  # fmt: skip
    data.update(changes)
    return data


def test_editing_a_requirement_in_the_admin_makes_a_revision_and_flags_links(admin, project, users):
    requirement = requirement_services.requirement_create(
        project=project, actor=users["owner"], title="Refunds", criteria=["Given a capture, then refund"]
    )
    fingerprint = requirement.fingerprint
    url = f"/admin/requirements/requirement/{requirement.pk}/change/"
    response = admin.post(url, _requirement_form(requirement, title="Refunds within 5 days"))
    assert response.status_code == 302, response.content[:3000]
    requirement.refresh_from_db()
    assert requirement.revision == 2 and requirement.fingerprint != fingerprint
    assert requirement.revisions.get(number=2).title == "Refunds within 5 days"
    change = ObjectChange.objects.filter(object_id=str(requirement.pk), action="update").get()
    assert change.via == "admin" and change.after["title"] == "Refunds within 5 days"

    # A criterion edited in the admin's inline is content too: another revision.
    response = admin.post(url, _requirement_form(requirement, **{"criteria-0-text": "Given a capture, then refund it"}))
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.revision == 3


def test_deleting_a_run_in_the_admin_deletes_its_files(admin, project, users, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    run, _ = testrun_services.test_run_create(project=project, actor=users["owner"], name="unit",
                                              report=SimpleUploadedFile("junit.xml", junit("a:passed")))  # fmt: skip
    stored = ReportUpload.objects.get(run=run).file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/testruns/testrun/{run.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TestRun.objects.filter(pk=run.pk).exists()
    import os

    assert not os.path.exists(stored)  # removed when the deletion committed, as from the pages
    assert ObjectChange.objects.filter(object_id=str(run.pk), action="delete", via="admin").exists()


def _membership_formset(project, **changes) -> dict:
    rows = list(Membership.objects.filter(project=project).order_by("pk"))
    data = {"name": project.name, "slug": project.slug, "description": project.description,
            "memberships-TOTAL_FORMS": str(len(rows)), "memberships-INITIAL_FORMS": str(len(rows)),
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, membership in enumerate(rows):
        prefix = f"memberships-{i}-"
        data.update({prefix + "id": membership.pk, prefix + "project": project.pk,
                     prefix + "user": membership.user_id, prefix + "role": membership.role})  # fmt: skip
    data.update(changes)
    return data, rows


def test_the_membership_inline_cannot_remove_the_last_owner(admin, project, users):
    data, rows = _membership_formset(project)
    owner_row = next(i for i, m in enumerate(rows) if m.role == "owner")
    data[f"memberships-{owner_row}-DELETE"] = "on"
    response = admin.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 200 and "A project needs an owner" in response.content.decode()
    assert Membership.objects.filter(project=project, role="owner").count() == 1

    # Demoting the owner while promoting someone else in the same save is fine (new owners go first).
    data, rows = _membership_formset(project)
    maintainer_row = next(i for i, m in enumerate(rows) if m.role == "maintainer")
    data[f"memberships-{owner_row}-role"] = "member"
    data[f"memberships-{maintainer_row}-role"] = "owner"
    response = admin.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302, response.content[:3000]
    assert list(Membership.objects.filter(project=project, role="owner").values_list("user__username", flat=True)) \
        == ["maintainer"]
    assert ObjectChange.objects.filter(content_type__model="membership", via="admin", verb="role → owner").exists()


def test_a_kit_models_admin_goes_through_its_kit(admin, project):
    response = admin.post("/admin/requirements/label/add/", {"project": project.pk, "name": "pci", "description": ""})
    assert response.status_code == 302
    label = Label.objects.get(name="pci")
    assert ObjectChange.objects.filter(object_id=str(label.pk), action="create", via="admin").count() == 1
    assert admin.post(f"/admin/requirements/label/{label.pk}/delete/", {"post": "yes"}).status_code == 302
    assert ObjectChange.objects.filter(object_id=str(label.pk), action="delete", via="admin").count() == 1
    assert not Requirement.objects.exists()
