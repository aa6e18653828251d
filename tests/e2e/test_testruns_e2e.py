"""Test runs in a real browser: CI uploads a report, a teammate opens the run, the failure, its history."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _report(checkout_status: str) -> bytes:
    failure = ('<failure message="assert 402 == 200" type="AssertionError">checkout.py:12: AssertionError</failure>'
               if checkout_status == "failed" else "")
    return (
        '<testsuites><testsuite name="api">'
        '<testcase classname="shop.tests.CartTests" name="test_add_item" time="0.20"/>'
        f'<testcase classname="shop.tests.CheckoutTests" name="test_checkout_pays" time="1.50">{failure}</testcase>'
        '<testcase classname="shop.tests.CheckoutTests" name="test_coupon" time="0.30"><skipped/></testcase>'
        "</testsuite></testsuites>"
    ).encode()


def test_upload_then_run_page_failure_and_history(page_as, api_as, project, settings, tmp_path, screenshot):
    settings.MEDIA_ROOT = tmp_path
    api = api_as("member")
    url = f"/api/v1/projects/{project.slug}/test-runs/"
    for number, status in enumerate(["passed", "failed"], start=1):
        response = api.post(url, {"report": SimpleUploadedFile("junit.xml", _report(status)), "name": "unit",
                                  "branch": "main", "commit": f"abc{number}"}, format="multipart")
        assert response.status_code == 202, response.content
    run_id = response.json()["number"]

    page = page_as("viewer")
    page.goto(f"/projects/{project.slug}/test-runs/")
    screenshot(page, "testruns-list")
    page.get_by_role("link", name=f"unit #{run_id}").click()
    page.wait_for_url(re.compile(rf"/test-runs/{run_id}/$"))
    assert page.locator("#run-totals").inner_text().count("1") >= 2
    page.get_by_text("1 new failure").wait_for()
    # The results partial (htmx) lists the failing test with its message.
    page.locator("#run-results").get_by_text("assert 402 == 200").wait_for()
    screenshot(page, "testruns-run")

    page.locator("#run-results").get_by_role("link", name="test_checkout_pays").click()
    page.wait_for_url(re.compile(r"/test-runs/tests/\d+/$"))
    assert "assert 402 == 200" in page.locator("#failure-message").inner_text()
    # The history chart is drawn from the JSON API: two runs, one bar each.
    page.wait_for_function("() => window.Chart && Chart.getChart('history-chart')")
    bars = page.evaluate("() => Chart.getChart('history-chart').data.labels.length")
    assert bars == 2
    screenshot(page, "testruns-case")
