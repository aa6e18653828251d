"""The Content-Security-Policy in a real browser: pages that use htmx, Chart.js and Swagger UI still
work, the console shows no CSP violation, and an injected inline script does not run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.requirements.services import requirement_create
from apps.testruns.models import TestCase
from apps.testruns.pipeline import test_report_ingest as ingest_now
from apps.testruns.services import test_run_create as upload_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPORT = (b'<testsuites><testsuite name="api"><testcase classname="shop.Cart" name="test_add" time="0.2"/>'
          b'<testcase classname="shop.Cart" name="test_pay" time="0.4"%s</testsuite></testsuites>')  # fmt: skip


def watch_console(page) -> list[str]:
    """Every console message or page error that mentions the Content Security Policy."""
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def csp_violations(seen: list[str]) -> list[str]:
    return [text for text in seen if "Content Security Policy" in text or "Refused to" in text]


def test_pages_work_under_the_policy(page_as, project, users, settings, tmp_path):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    for ending in [b"/>", b'><failure message="402">trace</failure></testcase>']:
        run, _ = upload_run(project=project, actor=users["owner"], name="unit", branch="main",
                            report=SimpleUploadedFile("junit.xml", REPORT % ending))  # fmt: skip
        ingest_now(run_id=run.pk)
    requirement_create(project=project, actor=users["owner"], title="Refund a payment",
                       description="Injected: <script>document.title='pwned'</script>")  # fmt: skip
    page = page_as("viewer")
    seen = watch_console(page)
    slug = project.slug

    page.goto(f"/projects/{slug}/requirements/")  # htmx: typing in the search box swaps the results
    page.get_by_label("Search").fill("zzz")
    expect(page.locator("#results")).to_contain_text("No requirements match")
    page.goto(f"/projects/{slug}/requirements/REQ-1/")
    assert page.title() != "pwned"

    page.goto(f"/projects/{slug}/test-runs/trends/?branch=main")  # Chart.js, drawn by a static script
    page.wait_for_function("() => window.Chart && Chart.getChart('trends-chart')")
    case = TestCase.objects.get(name="test_pay")
    page.goto(f"/projects/{slug}/test-runs/tests/{case.pk}/")
    page.wait_for_function("() => window.Chart && Chart.getChart('history-chart')")

    page.goto("/api/docs/")  # Swagger UI, started by static/js/api-docs.js
    expect(page.locator(".opblock").first).to_be_visible(timeout=20000)
    expect(page.get_by_role("link", name="Back to your projects")).to_be_visible()

    assert csp_violations(seen) == [], seen


def test_the_policy_header_forbids_inline_script(client):
    header = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and "unsafe" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
