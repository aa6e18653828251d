"""Browser journey on the kit's pages (labels, the kit's smallest model): a member adds and edits a
label, finds it by search, sees its history; a maintainer deletes it; a viewer sees no buttons and
is refused the forms."""

import pytest

from apps.requirements.models import Label
from apps.requirements.services import requirement_create

URL = "/projects/payments-api/requirements/labels"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_label_pages_by_role(page_as, project, users, screenshot):
    from playwright.sync_api import expect

    member = page_as("member")
    member.goto(f"{URL}/")
    expect(member.get_by_role("heading", name="No labels yet")).to_be_visible()
    screenshot(member, "kit-empty")
    member.get_by_role("link", name="Add the first label").click()
    member.get_by_label("Name").fill("security")
    member.get_by_label("Description").fill("Anything an **attacker** could use.")
    member.get_by_role("button", name="Save").click()
    expect(member.get_by_text("Label created.")).to_be_visible()
    expect(member.locator(".tl-markdown strong")).to_have_text("attacker")
    member.get_by_role("link", name="Edit").click()
    member.get_by_label("Name").fill("security, privacy")  # a separator: refused on the form, nothing saved
    member.get_by_role("button", name="Save").click()
    expect(member.locator(".invalid-feedback")).to_contain_text("can't contain")
    member.get_by_label("Name").fill("privacy")
    member.get_by_role("button", name="Save").click()
    expect(member.get_by_role("heading", name="privacy")).to_be_visible()
    expect(member.get_by_role("region", name="History")).to_contain_text("updated")
    screenshot(member, "kit-detail")
    expect(member.get_by_role("link", name="Delete")).to_have_count(0)  # members don't delete

    requirement_create(project=project, actor=users["owner"], title="PSD2", labels=["psd2"])
    member.goto(f"{URL}/")
    member.get_by_label("Search").fill("priv")
    expect(member.locator("#results tbody tr")).to_have_count(1)
    screenshot(member, "kit-list")

    viewer = page_as("viewer")
    viewer.goto(f"{URL}/")
    expect(viewer.get_by_role("link", name="New label")).to_have_count(0)
    assert viewer.goto(f"{URL}/new/").status == 403

    maintainer = page_as("maintainer")
    label = Label.objects.get(name="privacy")
    maintainer.goto(f"{URL}/{label.pk}/")
    maintainer.get_by_role("link", name="Delete").click()
    maintainer.get_by_role("button", name="Delete").click()
    expect(maintainer.get_by_text("Deleted privacy.")).to_be_visible()
    assert not Label.objects.filter(name="privacy").exists()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_new_projects_slug_follows_its_name_until_edited(page_as, users):
    from playwright.sync_api import expect

    page = page_as("outsider")
    page.goto("/projects/new/")
    page.get_by_label("Name").fill("Orders & Payments API")
    expect(page.get_by_label("Slug")).to_have_value("orders-payments-api")
    page.get_by_label("Slug").fill("orders")
    page.get_by_label("Name").fill("Orders API v2")
    expect(page.get_by_label("Slug")).to_have_value("orders")  # edited by hand: left alone
