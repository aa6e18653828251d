"""The requirement form: criteria written with a new requirement, a parent picked by key or title."""

import pytest

from apps.requirements.models import Requirement

pytestmark = pytest.mark.django_db
URL = "/projects/payments-api/requirements"


def test_a_new_requirement_takes_its_criteria_in_the_same_form(client_as, project):
    criteria = "Given a capture, when refunded, then credited\n\n  Given a refund, then refused again  \n"
    data = {"title": "Refunds", "type": "functional", "priority": "must", "criteria": criteria}
    response = client_as("member").post(f"{URL}/new/", data)
    assert response.status_code == 302
    requirement = Requirement.objects.get(title="Refunds")
    assert [c.text for c in requirement.criteria.all()] == [
        "Given a capture, when refunded, then credited", "Given a refund, then refused again"]
    assert requirement.revision == 1  # one revision with the criteria in it, not two
    edit = client_as("member").get(f"{URL}/{requirement.key}/edit/").content.decode()
    assert 'name="criteria"' not in edit  # an existing requirement's criteria are edited on its page


def test_a_bad_criterion_is_shown_on_the_field_and_nothing_is_saved(client_as, project):
    data = {"title": "Refunds", "type": "functional", "priority": "must", "criteria": "x" * 1001}
    response = client_as("member").post(f"{URL}/new/", data)
    assert response.status_code == 200 and "Criterion 1:" in response.content.decode()
    assert not Requirement.objects.exists()


def test_a_parent_is_found_by_key_or_title(client_as, make_requirement):
    make_requirement(title="Card payments")
    make_requirement(title="Refunds")
    client = client_as("viewer")
    by_title = client.get(f"{URL}/options/?q=refu").content.decode()
    assert 'value="REQ-2 · Refunds"' in by_title and "REQ-1" not in by_title
    by_key = client.get(f"{URL}/options/?parent=REQ-1").content.decode()
    assert 'value="REQ-1 · Card payments"' in by_key
    form = client_as("member").get(f"{URL}/new/").content.decode()
    assert 'list="id_parent-options"' in form and f'hx-get="{URL}/options/"' in form
    response = client_as("member").post(f"{URL}/new/", {"title": "Partial refunds", "type": "functional",
                                                         "priority": "could", "parent": "REQ-2 · Refunds"})  # fmt: skip
    assert response.status_code == 302
    assert Requirement.objects.get(title="Partial refunds").parent.key == "REQ-2"


def test_options_are_the_projects_only(client_as, make_requirement, other_project, users):
    from apps.requirements.services import requirement_create

    requirement_create(project=other_project, actor=users["outsider"], title="Secret refunds")
    make_requirement(title="Refunds")
    page = client_as("viewer").get(f"{URL}/options/?q=refunds").content.decode()
    assert "Secret" not in page and page.count("<option") == 1
    assert client_as("outsider").get(f"{URL}/options/?q=refunds").status_code == 404
