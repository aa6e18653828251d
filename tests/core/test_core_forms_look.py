"""Forms that look finished: filter selects say "Any", booleans offer Any/Yes/No, optional choices
read "—", the activity filter names object types as people do, and a search box is type=search."""

import pytest

pytestmark = pytest.mark.django_db


def test_filters_read_any_and_yes_no(client_as, project):
    page = client_as("viewer").get(f"/projects/{project.slug}/test-runs/tests/").content.decode()
    assert '<option value="" selected>Any</option>' in page and "---------" not in page
    assert '<option value="true">Yes</option>' in page and '<option value="false">No</option>' in page
    assert 'type="search"' in page
    projects = client_as("viewer").get("/projects/").content.decode()
    assert "Unknown" not in projects and ">Any</option>" in projects


def test_boolean_filters_filter_the_same_on_page_and_api(client_as, api_as, project, other_project):
    from apps.projects.models import Project

    Project.objects.filter(pk=project.pk).update(archived=True)
    page = client_as("owner").get("/projects/?archived=true")
    assert [p.slug for p in page.context["object_list"]] == ["payments-api"]
    api = api_as("owner").get("/api/v1/projects/?archived=true").json()
    assert [p["slug"] for p in api["results"]] == ["payments-api"]
    assert api_as("owner").get("/api/v1/projects/?archived=false").json()["count"] == 0


def test_the_activity_filter_names_object_types_readably(client_as, project):
    page = client_as("viewer").get(f"/projects/{project.slug}/activity/").content.decode()
    assert '<option value="requirements.requirement">Requirement</option>' in page
    assert '<option value="testruns.testrun">Test run</option>' in page
    filtered = client_as("viewer").get(f"/projects/{project.slug}/activity/?object_type=projects.membership")
    assert filtered.status_code == 200 and all(
        c.content_type.model == "membership" for c in filtered.context["object_list"])


def test_optional_choices_read_a_dash(client_as, project):
    page = client_as("member").get(f"/projects/{project.slug}/requirements/new/").content.decode()
    assert "---------" not in page and '<option value="" selected>—</option>' in page


def test_a_filter_value_that_does_not_parse_shows_no_rows_and_says_why(client_as, api_as, project, users):
    from apps.requirements.services import requirement_create

    requirement_create(project=project, actor=users["owner"], title="Refunds")
    page = client_as("viewer").get(f"/projects/{project.slug}/requirements/?status=bogus")
    assert list(page.context["object_list"]) == [] and "Select a valid choice" in page.content.decode()
    assert api_as("viewer").get(f"/api/v1/projects/{project.slug}/requirements/?status=bogus").status_code == 400


def test_related_choices_never_reach_into_another_project(project, other_project, users):
    from django.contrib.auth import get_user_model

    from apps.core.models import limit_to_project
    from apps.requirements.models import AcceptanceCriterion, Label
    from apps.requirements.services import requirement_create

    mine = requirement_create(project=project, actor=users["owner"], title="Mine", criteria=["Given a"])
    theirs = requirement_create(project=other_project, actor=users["outsider"], title="Theirs", criteria=["Given b"],
                                labels=["secret"])  # fmt: skip
    assert list(limit_to_project(AcceptanceCriterion.objects.all(), project)) == list(mine.criteria.all())
    assert not limit_to_project(Label.objects.all(), project).filter(pk__in=theirs.labels.all()).exists()
    assert users["outsider"] not in limit_to_project(get_user_model().objects.all(), project)
    from django.contrib.auth.models import Group

    assert not limit_to_project(Group.objects.all(), project).exists()  # unknown kinds: none, never all


@pytest.mark.parametrize("since", ["2519-10-29T11:10:11+19:26", "9999-12-31T23:59:59-15:00"])
def test_a_since_with_any_offset_is_answered_not_a_500(api_as, client_as, project, since):
    from urllib.parse import quote

    url = f"/projects/{project.slug}/activity/?since={quote(since)}"
    assert client_as("viewer").get(url).status_code == 200
    response = api_as("viewer").get(f"/api/v1/projects/{project.slug}/activity/?since={quote(since)}")
    assert response.status_code in (200, 400)  # read as UTC, or refused with a message: never a 500


@pytest.mark.parametrize("text", ["12", "²", "٣", "-1", "", "1.5"])
def test_numbers_are_ascii_digits_only(text):
    from apps.core.text import is_number
    from apps.requirements.models import parse_key

    assert is_number(text) is (text == "12")
    assert parse_key(f"REQ-{text}") == (12 if text == "12" else None)


def test_unicode_digits_in_page_parameters_are_not_a_500(client_as, project, users):
    from apps.requirements.services import requirement_create

    requirement_create(project=project, actor=users["owner"], title="Refunds")
    client = client_as("viewer")
    base = f"/projects/{project.slug}"
    for url in [f"{base}/requirements/REQ-1/revisions/diff/?a=²&b=1", f"{base}/test-runs/compare/?head=²",
                f"{base}/requirements/?parent=REQ-²", f"{base}/requirements/?page_size=²"]:  # fmt: skip
        assert client.get(url).status_code == 200, url
