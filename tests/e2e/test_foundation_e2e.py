"""The newcomer's journey in a real browser: sign up, verify email, create a project, add a
teammate, mint an API token and call the API with it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_to_api_token(page, live_server, screenshot):
    make_user("teammate")

    page.goto("/accounts/signup/")
    page.locator("#id_email").fill("newcomer@example.com")
    page.locator("#id_username").fill("newcomer")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # The verification mail went to the test outbox; follow its link in the browser.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/projects/$"))
    expect(page.get_by_role("heading", name="No projects yet")).to_be_visible()
    screenshot(page, "projects-empty")

    page.get_by_role("link", name="Create a project").click()
    page.get_by_label("Name").fill("Orders API")
    page.get_by_label("Slug").fill("orders-api")
    page.get_by_label("Description").fill("Order intake and fulfilment.")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/orders-api/members/$"))

    page.get_by_label("Username or email").fill("teammate@example.com")
    page.get_by_label("Role *").select_option("member")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Added teammate as member.")).to_be_visible()
    screenshot(page, "members")

    page.goto("/projects/orders-api/")
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()
    screenshot(page, "project-overview")

    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("CI pipeline")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-value").input_value()
    assert secret.startswith("tl_")
    screenshot(page, "tokens")

    response = page.request.get(
        f"{live_server.url}/api/v1/projects/orders-api/members/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 200
    usernames = {m["user"]["username"] for m in response.json()["results"]}
    assert usernames == {"newcomer", "teammate"}

    # Shown once: reloading the tokens page no longer reveals it.
    page.reload()
    assert page.locator("#new-token-value").count() == 0


def test_phone_width_navigation(page_as, project, screenshot):
    page = page_as("owner", viewport={"width": 390, "height": 844})
    page.goto(f"/projects/{project.slug}/")
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.get_by_role("button", name="owner")).to_be_visible()
    screenshot(page, "overview-phone")


def test_settings_change_shows_in_activity_with_live_filter(page_as, project, screenshot):
    page = page_as("maintainer")
    page.goto(f"/projects/{project.slug}/settings/")
    page.get_by_label("Description").fill("Card payments, refunds and payouts.")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    screenshot(page, "settings")

    page.goto(f"/projects/{project.slug}/activity/")
    expect(page.get_by_text("maintainer updated project").first).to_be_visible()
    # htmx swaps the results as the filter changes, without a full reload.
    page.get_by_label("Actor (username)").fill("nobody")
    page.get_by_label("Actor (username)").press("Enter")
    page.wait_for_url("**actor=nobody**")
    expect(page.get_by_text("No activity matches these filters.")).to_be_visible()
    screenshot(page, "activity")


def test_viewer_sees_no_write_controls_and_outsider_gets_404(page_as, project):
    viewer = page_as("viewer")
    viewer.goto(f"/projects/{project.slug}/members/")
    assert viewer.get_by_role("button", name="Add member").count() == 0
    assert viewer.get_by_role("link", name="Settings").count() == 0

    outsider = page_as("outsider")
    response = outsider.goto(f"/projects/{project.slug}/")
    assert response.status == 404
