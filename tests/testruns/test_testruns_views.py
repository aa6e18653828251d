"""Test-run pages: every page tried by every role, the pages' content, and delete/reprocess doors."""

import pytest
from django.urls import reverse

from apps.core.models import ObjectChange
from apps.testruns.models import TestCase, TestResult, TestRun
from tests.testruns.testruns_support import junit, run_of

pytestmark = pytest.mark.django_db

READ_EXPECT = {"owner": 200, "maintainer": 200, "member": 200, "viewer": 200, "outsider": 404}


@pytest.fixture
def runs(upload):
    first = run_of(upload(junit("a:passed", "b:passed", "c:failed:expected 1 got 2"), name="unit", branch="main"))
    second = run_of(upload(junit("a:failed:expected 3 got 4", "b:passed", "c:passed", "d:error"),
                           name="unit", branch="main"))
    return first, second


def _pages(project, runs):
    first, second = runs
    case = TestCase.objects.get(name="a")
    slug = project.slug
    return [
        reverse("testruns:run_list", args=[slug]),
        reverse("testruns:run_list", args=[slug]) + "?branch=main&status=complete",
        reverse("testruns:run_detail", args=[slug, second.number]),
        reverse("testruns:run_progress", args=[slug, second.number]),
        reverse("testruns:run_results", args=[slug, second.number]) + "?status=failed&q=a",
        reverse("testruns:case_list", args=[slug]) + "?last_status=failed",
        reverse("testruns:case_detail", args=[slug, case.pk]),
        reverse("testruns:flaky_list", args=[slug]),
        reverse("testruns:flaky_list", args=[slug]) + "?branch=main&name=unit",
        reverse("testruns:trends", args=[slug]),
        reverse("testruns:compare", args=[slug]) + f"?base={first.number}&head={second.number}",
    ]


@pytest.mark.parametrize("role", sorted(READ_EXPECT))
def test_every_page_by_role(client_as, project, runs, role):
    client = client_as(role)
    for url in _pages(project, runs):
        assert client.get(url).status_code == READ_EXPECT[role], url


def test_anonymous_is_sent_to_login(client, project, runs):
    response = client.get(reverse("testruns:run_list", args=[project.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_run_detail_shows_totals_failure_groups_and_changes(client_as, project, runs):
    first, second = runs
    html = client_as("viewer").get(reverse("testruns:run_detail", args=[project.slug, second.number])).content.decode()
    assert "expected &lt;n&gt; got &lt;n&gt;" in html  # the normalised signature
    assert "2 new failures" in html and "1 fixed" in html and "0 still failing" in html
    assert "Slowest 4 tests" in html and 'id="run-totals"' in html


def test_results_partial_filters_and_searches(client_as, project, runs):
    _, second = runs
    url = reverse("testruns:run_results", args=[project.slug, second.number])
    body = client_as("viewer").get(url + "?status=error", HTTP_HX_REQUEST="true").content.decode()
    assert ">d</a>" in body and ">a</a>" not in body
    body = client_as("viewer").get(url + "?signature=expected+<n>+got+<n>").content.decode()
    assert ">a</a>" in body


def test_empty_runs_page_shows_the_upload_command(client_as, project):
    html = client_as("member").get(reverse("testruns:run_list", args=[project.slug])).content.decode()
    assert "curl -fsS" in html and f"/api/v1/projects/{project.slug}/test-runs/" in html


def test_failed_run_page_explains_and_offers_reprocess(client_as, project, upload, media):
    run = run_of(upload(b"<html/>"))
    html = client_as("member").get(run.get_absolute_url()).content.decode()
    assert "Not a test report" in html and "Process again" in html
    assert "Process again" not in client_as("viewer").get(run.get_absolute_url()).content.decode()


def test_progress_partial_while_processing_and_refresh_when_done(client_as, project, runs):
    _, second = runs
    url = reverse("testruns:run_progress", args=[project.slug, second.number])
    done = client_as("viewer").get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    TestRun.objects.filter(pk=second.pk).update(status="processing")
    html = client_as("viewer").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and "Processing" in html


@pytest.mark.parametrize(("role", "expected"), [("owner", 302), ("maintainer", 302), ("member", 403),
                                                ("viewer", 403), ("outsider", 404)])
def test_delete_run_roles(client_as, project, runs, role, expected):
    _, second = runs
    url = reverse("testruns:run_delete", args=[project.slug, second.number])
    response = client_as(role).post(url)
    assert response.status_code == expected
    assert TestRun.objects.filter(pk=second.pk).exists() is (expected != 302)
    if expected == 302:
        assert not TestResult.objects.filter(run_id=second.pk).exists()
        assert ObjectChange.objects.filter(verb="deleted", object_id=str(second.pk)).exists()


@pytest.mark.parametrize(("role", "expected"), [("member", 302), ("viewer", 403), ("outsider", 404)])
def test_reprocess_roles(client_as, project, upload, media, role, expected, django_capture_on_commit_callbacks):
    run = run_of(upload(b"<html/>"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(role).post(reverse("testruns:run_reprocess", args=[project.slug, run.number]))
    assert response.status_code == expected


def test_overview_card(client_as, project, runs):
    html = client_as("viewer").get(reverse("projects:project_detail", args=[project.slug])).content.decode()
    assert "passed in the latest run" in html and "Flaky tests" in html


def test_a_run_shows_its_outcome_apart_from_its_processing_state(client_as, project, runs, upload):
    first, second = runs  # first: 1 failure of 3; second: 2 passed, 1 failure and 1 error
    broken = run_of(upload(b"<not-a-report/>", name="unit"))
    page = client_as("viewer").get(reverse("testruns:run_list", args=[project.slug])).content.decode()
    assert '<span class="badge text-bg-danger" title="2 passed, 1 failed, 1 errors, 0 skipped">2 failed</span>' in page
    assert ">1 failed</span>" in page and "text-bg-success" not in page  # no green badge on a run with failures
    assert ">failed to parse</span>" in page and broken.status == "failed"
    url = reverse("testruns:run_detail", args=[project.slug, second.number])
    detail = client_as("viewer").get(url).content.decode()
    assert "2 failed</span>" in detail and "50% passed" in detail  # one format: 50%, not 50.0%


def test_pass_rates_have_one_format_and_one_colour_scale():
    from apps.testruns.templatetags.testruns import pass_rate_colour, pass_rate_text

    assert [pass_rate_text(r) for r in (100.0, 97.5, 50.0, 0.0, None)] == ["100%", "97.5%", "50%", "0%", "—"]
    assert [pass_rate_colour(r) for r in (100.0, 99.9, 90.0, 89.9, None)] == [
        "success", "warning", "warning", "danger", "secondary"]


def test_the_run_page_has_a_suite_class_test_tree(client_as, project, runs):
    first, second = runs
    client = client_as("viewer")
    html = client.get(reverse("testruns:run_detail", args=[project.slug, second.number])).content.decode()
    assert 'id="suites"' in html and "pkg.Tests" in html and "2 failed" in html  # class pkg.Tests: a fails, d errors
    tests = client.get(reverse("testruns:run_results", args=[project.slug, second.number])
                       + "?suite=suite&classname=pkg.Tests&page_size=200").context["object_list"]
    assert sorted(r.test_case.name for r in tests) == ["a", "b", "c", "d"]
    assert not client.get(reverse("testruns:run_results", args=[project.slug, second.number])
                          + "?suite=suite&classname=other").context["object_list"]
