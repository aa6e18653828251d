"""Requirement coverage: tests that name REQ keys verify them, from the latest run of each test."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.requirements import services
from tests.kit import assert_queries

pytestmark = pytest.mark.django_db

REPORT = """<?xml version="1.0"?>
<testsuite name="payments" tests="3">
  <testcase classname="tests.test_cards" name="test_capture_REQ-{a}" time="0.1"/>
  <testcase classname="tests.test_cards" name="test_refund" time="0.2">
    <properties><property name="requirement" value="REQ-{b}"/></properties>
    {refund_outcome}
  </testcase>
  <testcase classname="tests.test_misc" name="test_unrelated" time="0.1"/>
</testsuite>"""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reqs(project, users):
    make = lambda title: services.requirement_create(project=project, actor=users["owner"], title=title)  # noqa: E731
    return make("Capture card payments"), make("Refund a payment"), make("Nobody tests this")


@pytest.fixture
def upload(api_as, project, media, django_capture_on_commit_callbacks):
    api = api_as("member")

    def post(refund_fails: bool, a: int, b: int):
        outcome = '<failure message="amount mismatch">AssertionError</failure>' if refund_fails else ""
        body = REPORT.format(a=a, b=b, refund_outcome=outcome).encode()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                f"/api/v1/projects/{project.slug}/test-runs/",
                {"report": SimpleUploadedFile("r.xml", body, "application/xml"), "name": "ci", "branch": "main"},
                format="multipart",
            )
        assert response.status_code == 202, response.content
        return response

    return post


def detail(api, project, key):
    response = api.get(f"/api/v1/projects/{project.slug}/requirements/{key}/")
    assert response.status_code == 200
    return response.json()["verification"]


def test_untested_without_linked_tests(api_as, project, reqs):
    assert detail(api_as("viewer"), project, reqs[0].key) == {"status": "untested", "tests": []}


def test_linked_tests_verify_or_fail_from_their_latest_run(api_as, project, reqs, upload):
    capture, refund, lonely = reqs
    upload(refund_fails=True, a=capture.number, b=refund.number)
    viewer = api_as("viewer")

    capture_v = detail(viewer, project, capture.key)
    assert capture_v["status"] == "verified"
    assert [t["name"] for t in capture_v["tests"]] == [f"payments › tests.test_cards › test_capture_{capture.key}"]
    refund_v = detail(viewer, project, refund.key)
    assert refund_v["status"] == "failing"
    assert refund_v["tests"][0]["status"] == "failed"
    assert detail(viewer, project, lonely.key)["status"] == "untested"

    # The next run fixes the refund test: the latest run decides.
    upload(refund_fails=False, a=capture.number, b=refund.number)
    assert detail(viewer, project, refund.key)["status"] == "verified"


@pytest.mark.parametrize(
    ("status", "expected_titles"),
    [
        ("verified", ["Capture card payments"]),
        ("failing", ["Refund a payment"]),
        ("untested", ["Nobody tests this"]),
    ],
)
def test_list_filters_by_verification_in_api_and_ui(api_as, client_as, project, reqs, upload, status, expected_titles):
    upload(refund_fails=True, a=reqs[0].number, b=reqs[1].number)
    response = api_as("viewer").get(f"/api/v1/projects/{project.slug}/requirements/?verification={status}")
    assert [r["title"] for r in response.json()["results"]] == expected_titles
    assert {r["verification"]["status"] for r in response.json()["results"]} == {status}

    page = client_as("viewer").get(f"/projects/{project.slug}/requirements/?verification={status}")
    assert page.status_code == 200
    assert [r.title for r in page.context["object_list"]] == expected_titles


def test_requirement_page_shows_its_tests_and_suspect_links(client_as, project, reqs, upload, users, walk):
    capture = reqs[0]
    walk(capture, "in_review", "approved")
    upload(refund_fails=False, a=capture.number, b=reqs[1].number)
    page = client_as("viewer").get(f"/projects/{project.slug}/requirements/{capture.key}/")
    html = page.content.decode()
    assert f"test_capture_{capture.key}" in html
    assert "suspect" not in html

    # The approved requirement changes after the link was made: the link is now suspect.
    services.requirement_update(requirement=capture, actor=users["owner"], title="Capture card and wallet payments")
    html = client_as("viewer").get(f"/projects/{project.slug}/requirements/{capture.key}/").content.decode()
    assert "suspect" in html


def test_list_endpoint_query_count_does_not_grow_with_links(
    api_as, project, reqs, upload, django_assert_max_num_queries
):
    upload(refund_fails=True, a=reqs[0].number, b=reqs[1].number)
    api = api_as("viewer")
    response = assert_queries(7, lambda: api.get(f"/api/v1/projects/{project.slug}/requirements/"), "api list")
    assert response.status_code == 200
