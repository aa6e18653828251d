"""Account pages in a real browser: a newcomer signs up, follows the emailed link and is logged in on the
projects page; a user turns on two-factor authentication; every account page fits a phone (390 px) without
sideways scrolling and runs under the Content-Security-Policy without a violation."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def watch_console(page, seen: list[str] | None = None) -> list[str]:
    seen = [] if seen is None else seen
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def csp_violations(seen: list[str]) -> list[str]:
    return [text for text in seen if "Content Security Policy" in text or "Refused to" in text]


def test_sign_up_confirm_by_email_and_land_logged_in(page, screenshot):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign up").last.click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("Email").fill("newcomer@threadline.test")
    page.get_by_label("Username").fill("newcomer")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify your email address")).to_be_visible()
    screenshot(page, "accounts-verification-sent")

    (message,) = mail.outbox
    assert message.subject == "[Threadline] Confirm your email address"
    assert message.body.startswith("Hello from Threadline!")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    screenshot(page, "accounts-email-confirm")
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/projects/$"))
    expect(page.get_by_role("button", name="newcomer")).to_be_visible()  # the user menu: logged in
    expect(page.get_by_text("You have confirmed newcomer@threadline.test.")).to_be_visible()


def test_turn_on_two_factor_authentication(page, screenshot):
    make_user("ada")
    seen = watch_console(page)
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/projects/$"))

    page.goto("/accounts/2fa/")
    screenshot(page, "accounts-2fa-off")
    page.get_by_role("link", name="Activate").click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    screenshot(page, "accounts-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Activate authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "accounts-2fa-activate")
    secret = page.get_by_label("Authenticator secret").input_value()
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    assert len(page.get_by_label("Unused codes").input_value().split()) > 0
    screenshot(page, "accounts-2fa-recovery-codes")
    page.goto("/accounts/2fa/")
    expect(page.get_by_role("link", name="Deactivate")).to_be_visible()
    screenshot(page, "accounts-2fa-on")
    assert csp_violations(seen) == [], seen

    # The next log-in asks for the second step, in the same look.
    page.get_by_role("button", name="ada").click()
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    screenshot(page, "accounts-2fa-authenticate")


ANONYMOUS = [("login", "/accounts/login/"), ("signup", "/accounts/signup/"),
             ("password-reset", "/accounts/password/reset/")]  # fmt: skip
LOGGED_IN = [("email", "/accounts/email/"), ("password-change", "/accounts/password/change/"),
             ("2fa", "/accounts/2fa/"), ("logout", "/accounts/logout/")]  # fmt: skip


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_account_pages_fit_desktop_and_phone(browser, live_server, page_as, size, viewport, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    anonymous = context.new_page()
    seen = watch_console(anonymous)
    for name, url in ANONYMOUS:
        anonymous.goto(url)
        expect(anonymous.locator("main h1")).to_be_visible()
        assert fits_width(anonymous), f"{url} scrolls sideways at {viewport['width']} px"
        screenshot(anonymous, f"accounts-{name}-{size}")
    # Errors shown in place: a wrong password on the log-in page.
    anonymous.goto("/accounts/login/")
    anonymous.get_by_label("Username or email").fill("nobody")
    anonymous.get_by_label("Password").fill("wrong")
    anonymous.get_by_role("button", name="Log in").click()
    expect(anonymous.get_by_role("alert")).to_contain_text("The username and/or password you specified are not correct")
    screenshot(anonymous, f"accounts-login-error-{size}")
    context.close()

    user = page_as("owner", viewport=viewport)
    watch_console(user, seen)
    for name, url in LOGGED_IN:
        user.goto(url)
        expect(user.locator("main h1")).to_be_visible()
        assert fits_width(user), f"{url} scrolls sideways at {viewport['width']} px"
        screenshot(user, f"accounts-{name}-{size}")
    assert csp_violations(seen) == [], seen
