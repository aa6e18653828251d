"""Labels, the smallest model on core's kit: the kit's whole test suite, plus what labels add."""

import pytest

from apps.core.kit import kit_for
from apps.requirements.models import Label
from tests.kit import KitTests

pytestmark = pytest.mark.django_db


class TestLabelKit(KitTests):
    model = Label
    create_data = {"name": "security", "description": "Anything an attacker could use."}
    update_data = {"name": "privacy", "description": ""}
    queries = {"list": 6, "detail": 6, "api-list": 4, "api-detail": 3}

    def make(self, project, users, number):
        return kit_for(Label).create(project=project, actor=users["owner"], values={"name": f"label-{number}"})


def test_list_counts_the_requirements_of_each_label(client_as, project, make_requirement):
    make_requirement(labels=["psd2", "security"])
    make_requirement(labels=["security"])
    page = client_as("viewer").get(f"/projects/{project.slug}/requirements/labels/").content.decode()
    assert "?label=security\">2</a>" in page and "?label=psd2\">1</a>" in page


@pytest.mark.parametrize(
    ("name", "message"),
    [("a,b", "can&#x27;t contain"), ("x" * 51, "at most 50"), ("psd2", "already has a label with this name")],
)
def test_bad_names_are_refused_on_the_form_and_the_api(client_as, api_as, project, make_requirement, name, message):
    make_requirement(labels=["psd2"])
    before = Label.objects.count()
    page = client_as("member").post(f"/projects/{project.slug}/requirements/labels/new/", {"name": name})
    assert page.status_code == 200 and message in page.content.decode()
    response = api_as("member").post(f"/api/v1/projects/{project.slug}/requirements/labels/", {"name": name})
    assert response.status_code == 400 and response.json()["errors"]["name"]
    assert Label.objects.count() == before
