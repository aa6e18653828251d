"""Every page at phone width (390 px): nothing scrolls sideways — wide tables scroll inside their own
box, long names truncate, filters fold behind a "Filters" button."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.requirements.models import Label
from apps.requirements.services import requirement_create, requirement_update
from apps.testruns.models import TestCase
from apps.testruns.pipeline import test_report_ingest as ingest_now
from apps.testruns.services import test_run_create as upload_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG = "test_checkout_with_a_very_long_parametrised_name_that_reporters_love[currency=EUR-amount=100000-3ds=on]"
REPORT = ('<testsuites><testsuite name="com.example.shop.checkout.integration.PaymentGatewayIntegrationTests">'
          f'<testcase classname="com.example.shop.checkout.integration.PaymentGatewayIntegrationTests" name="{LONG}"'
          ' time="1.5"><failure message="expected:&lt;402&gt; but was:&lt;200&gt; in a message long enough to wrap">'
          'trace</failure></testcase><testcase classname="c" name="ok" time="0.1"/></testsuite></testsuites>')


def overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 = none)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def dataset(project, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    parent = requirement_create(project=project, actor=owner, title="Card payments " * 8,
                                labels=["psd2", "a-rather-long-label-name"], criteria=["Given a card " * 12])
    child = requirement_create(project=project, actor=users["owner"], title="Refunds", parent=parent)
    requirement_update(requirement=child, actor=users["owner"], title="Refunds within five days")
    runs = []
    for _ in range(2):
        run, _ = upload_run(project=project, actor=owner, name="integration", branch="feature/very-long-branch-name",
                            commit="0123456789abcdef0123456789abcdef01234567",
                            report=SimpleUploadedFile("junit.xml", REPORT.encode()))
        ingest_now(run_id=run.pk)
        runs.append(run)
    return {"runs": runs, "case": TestCase.objects.get(name=LONG), "label": Label.objects.get(name="psd2")}


def test_no_page_scrolls_sideways_on_a_phone(page_as, project, dataset, screenshot):
    slug, run, case, label = project.slug, dataset["runs"][-1], dataset["case"], dataset["label"]
    base = f"/projects/{slug}"
    pages = [
        "/projects/", "/projects/new/", f"{base}/", f"{base}/members/", f"{base}/settings/", f"{base}/activity/",
        f"{base}/requirements/", f"{base}/requirements/new/", f"{base}/requirements/REQ-1/",
        f"{base}/requirements/REQ-1/edit/", f"{base}/requirements/REQ-1/delete/", f"{base}/requirements/tree/",
        f"{base}/requirements/import/", f"{base}/requirements/REQ-2/revisions/diff/",
        f"{base}/requirements/labels/", f"{base}/requirements/labels/new/", f"{base}/requirements/labels/{label.pk}/",
        f"{base}/test-runs/", f"{base}/test-runs/{run.number}/", f"{base}/test-runs/{run.number}/results/",
        f"{base}/test-runs/{run.number}/delete/", f"{base}/test-runs/tests/", f"{base}/test-runs/tests/{case.pk}/",
        f"{base}/test-runs/flaky/", f"{base}/test-runs/trends/", f"{base}/test-runs/compare/?head={run.number}",
        "/account/profile/", "/account/tokens/", "/api/docs/",
    ]  # fmt: skip
    page = page_as("owner", viewport=PHONE)
    wide = {}
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        if overflow(page) > 0:
            wide[url] = overflow(page)
            screenshot(page, "phone-wide-" + url.strip("/").replace("/", "-").replace("?", "-"))
    assert wide == {}, f"pages wider than the phone (px): {wide}"
    page.goto(f"{base}/test-runs/{run.number}/")
    screenshot(page, "phone-run")
    page.goto(f"{base}/requirements/")
    screenshot(page, "phone-requirements")


def test_filters_fold_behind_a_button_and_long_names_show_in_full_on_focus(page_as, project, dataset):
    from playwright.sync_api import expect

    page = page_as("viewer", viewport=PHONE)
    page.goto(f"/projects/{project.slug}/test-runs/tests/")
    expect(page.get_by_label("Search")).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    expect(page.get_by_label("Search")).to_be_visible()
    link = page.get_by_role("link", name=LONG)
    assert link.get_attribute("title") == LONG  # the full name on hover
    link.focus()
    assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1", link.element_handle())  # and on focus
