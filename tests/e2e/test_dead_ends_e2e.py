"""No dead ends, in a browser: the footer's Status link opens a page for people, and a run page's
suite tree loads a class's tests when it is opened."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.testruns.pipeline import test_report_ingest as ingest_now
from apps.testruns.services import test_run_create as upload_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPORT = (b'<testsuites><testsuite name="api"><testcase classname="shop.Cart" name="test_add" time="0.2"/>'
          b'<testcase classname="shop.Checkout" name="test_pay" time="0.4"><failure message="402">t</failure>'
          b"</testcase></testsuite></testsuites>")  # fmt: skip


def test_the_footer_status_link_and_the_suite_tree(page_as, project, users, settings, tmp_path, screenshot):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    run, _ = upload_run(project=project, actor=users["owner"], name="unit",
                        report=SimpleUploadedFile("junit.xml", REPORT))  # fmt: skip
    ingest_now(run_id=run.pk)
    page = page_as("viewer")
    page.goto(f"/projects/{project.slug}/")
    page.get_by_role("link", name="Status").click()
    expect(page.get_by_role("heading", name="Status")).to_be_visible()
    expect(page.get_by_text("All systems are working.")).to_be_visible()
    screenshot(page, "status")

    page.goto(f"/projects/{project.slug}/test-runs/{run.number}/")
    suites = page.locator("#suites")
    expect(suites.get_by_text("shop.Checkout")).to_be_visible()  # a suite with a failure starts open
    suites.get_by_text("shop.Cart").click()
    expect(suites.get_by_role("link", name="test_add")).to_be_visible()
    screenshot(page, "run-suite-tree")
