"""Account pages (allauth) in Threadline's layout: every page renders inside the navbar and footer with
Bootstrap forms (labels tied to inputs, errors announced), in sentence case, with no inline script; allauth's
emails speak in SITE_NAME; confirming the email address logs the new user in and lands on the projects page.
"""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-passphrase-42"


class Page(HTMLParser):
    """The parts of a page these tests look at: <main>'s form controls, labels, headings, scripts."""

    def __init__(self, html: str):
        super().__init__()
        self.in_main = False
        self.controls: list[dict] = []  # inputs, textareas, selects and buttons inside <main>
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.scripts: list[dict] = []
        self.handlers: list[str] = []  # on*= attributes anywhere
        self.h1: list[str] = []
        self._h1 = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        attrs["_tag"] = tag
        self.handlers += [name for name in attrs if name.startswith("on")]
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "main":
            self.in_main = True
        elif tag == "script":
            self.scripts.append(attrs)
        elif self.in_main and tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif self.in_main and tag in ("input", "textarea", "select", "button"):
            self.controls.append(attrs)
        elif self.in_main and tag == "h1":
            self._h1 = []

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "h1" and self._h1 is not None:
            self.h1.append(" ".join("".join(self._h1).split()))
            self._h1 = None

    def handle_data(self, data):
        if self._h1 is not None:
            self._h1.append(data)


def assert_threadline_page(response, h1: str) -> Page:
    """The page is Threadline's: navbar brand, our card layout, Bootstrap controls with labels, one h1, no
    inline script, none of allauth's bare default markup."""
    assert response.status_code == 200, response
    html = response.content.decode()
    assert re.search(r'class="navbar-brand[^"]*"[^>]*>\s*<img[^>]*>\s*Threadline\s*</a>', html)
    assert "tl-footer" in html and "tl-account-page" in html
    assert "Menu:" not in html and 'class="errorlist' not in html, "allauth's default layout or error list leaked"
    page = Page(html)
    assert page.h1 == [h1]
    for control in page.controls:
        kind = control.get("type", "")
        if control["_tag"] == "button" or kind in ("submit", "hidden"):
            if control["_tag"] == "button":
                assert re.search(r"\bbtn(-close)?\b", control.get("class", "")), control
            continue
        assert re.search(r"\b(form-control|form-check-input|form-select)\b", control.get("class", "")), control
        assert control.get("id") in page.label_for, f"no <label for> for {control}"
        for described in control.get("aria-describedby", "").split():
            assert described in page.ids, f"{control} describedby a missing element"
    for script in page.scripts:
        assert script.get("src") or script.get("type") == "application/json", f"inline script: {script}"
    assert page.handlers == [], "inline event handlers break the Content-Security-Policy"
    return page


def h1_of(response) -> str:
    return Page(response.content.decode()).h1[0]


@pytest.fixture
def user(db):
    return make_user("ada")


@pytest.fixture
def logged_in(client, user):
    """A client that logged in through the form, then confirmed its password (2FA changes ask for that)."""
    response = client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD})
    assert response.status_code == 302
    reauthenticate(client)
    return client


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


@pytest.fixture
def totp_user(user):
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    return user


@pytest.fixture
def mfa_logged_in(client, totp_user):
    """Logged in through both steps (password, then a recovery code), as a person with 2FA on does."""
    client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD})
    codes = RecoveryCodes(totp_user.authenticator_set.get(type="recovery_codes")).get_unused_codes()
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302, response.content.decode()
    reauthenticate(client)
    return client


ANONYMOUS_PAGES = [
    ("account_login", "Log in"),
    ("account_signup", "Sign up"),
    ("account_reset_password", "Reset your password"),
    ("account_reset_password_done", "Check your email"),
    ("account_reset_password_from_key_done", "Password changed"),
    ("account_email_verification_sent", "Verify your email address"),
    ("account_inactive", "Account inactive"),
]


@pytest.mark.parametrize(("name", "h1"), ANONYMOUS_PAGES)
def test_entrance_pages_in_threadline_layout(client, name, h1):
    response = client.get(reverse(name))
    assert_threadline_page(response, h1)
    assert f"<title>{h1} · Threadline</title>" in response.content.decode()


LOGGED_IN_PAGES = [
    ("account_email", "Email addresses"),
    ("account_change_password", "Change password"),
    ("account_logout", "Log out"),
    ("account_reauthenticate", "Confirm it's you"),
    ("mfa_index", "Two-factor authentication"),
    ("mfa_activate_totp", "Activate authenticator app"),
]


@pytest.mark.parametrize(("name", "h1"), LOGGED_IN_PAGES)
def test_account_pages_in_threadline_layout(logged_in, name, h1):
    assert_threadline_page(logged_in.get(reverse(name)), h1)


TWO_FACTOR_PAGES = [
    ("mfa_index", "Two-factor authentication"),
    ("mfa_deactivate_totp", "Deactivate authenticator app"),
    ("mfa_view_recovery_codes", "Recovery codes"),
    ("mfa_generate_recovery_codes", "Recovery codes"),
    ("mfa_reauthenticate", "Confirm it's you"),
]


@pytest.mark.parametrize(("name", "h1"), TWO_FACTOR_PAGES)
def test_two_factor_pages_with_an_authenticator(mfa_logged_in, name, h1):
    assert_threadline_page(mfa_logged_in.get(reverse(name)), h1)


def test_two_factor_log_in_step(client, totp_user):
    response = client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    page = assert_threadline_page(client.get(reverse("mfa_authenticate")), "Two-factor authentication")
    assert any(control.get("name") == "code" for control in page.controls)


def test_index_offers_activation_then_shows_it_on(logged_in, user):
    html = logged_in.get(reverse("mfa_index")).content.decode()
    assert "Authenticator app" in html and reverse("mfa_activate_totp") in html
    TOTP.activate(user, generate_totp_secret())
    html = logged_in.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_deactivate_totp") in html


def test_password_set_page_for_a_user_without_password(client, user):
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get(reverse("account_change_password"), follow=True)
    assert_threadline_page(response, "Set a password")


def test_email_confirmation_page_and_bad_link(client, user):
    address = EmailAddress.objects.create(user=user, email="second@threadline.test", verified=False)
    key = EmailConfirmationHMAC(address).key
    assert_threadline_page(client.get(reverse("account_confirm_email", args=[key])), "Confirm your email address")
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))
    assert_threadline_page(response, "Confirm your email address")
    assert "expired or is invalid" in response.content.decode()


def test_login_page_links_and_wording(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "Forgot your password?" in html and reverse("account_reset_password") in html
    assert reverse("account_signup") in html
    # allauth's words, restyled: "Log in", never "Sign In"; labels in sentence case.
    assert "Sign In" not in html and "Remember Me" not in html
    assert ">Username or email" in html and ">Remember me<" in html


def test_login_error_is_announced(client, user):
    response = client.post(reverse("account_login"), {"login": "ada", "password": "wrong"})
    page = assert_threadline_page(response, "Log in")
    html = response.content.decode()
    assert re.search(r'<div class="alert alert-danger" role="alert">\s*<div>The username and/or password', html)
    assert ">Username or email" in html and ">Remember me<" in html  # relabelled on a posted form too
    assert page.h1 == ["Log in"]


def test_signup_field_errors_are_tied_to_their_inputs(client):
    response = client.post(reverse("account_signup"), {
        "email": "not-an-email", "username": "newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })  # fmt: skip
    page = assert_threadline_page(response, "Sign up")
    email = next(control for control in page.controls if control.get("name") == "email")
    assert email.get("aria-invalid") == "true"
    assert "id_email_error" in email["aria-describedby"].split()
    assert "is-invalid" in email["class"]


# --- Emails -------------------------------------------------------------------------------------------


def sign_up(client, email="newcomer@threadline.test"):
    return client.post(reverse("account_signup"), {
        "email": email, "username": "newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })  # fmt: skip


def test_verification_email_speaks_in_the_site_name(client, mailoutbox):
    response = sign_up(client)
    assert response["Location"] == reverse("account_email_verification_sent")
    (mail,) = mailoutbox
    assert mail.subject == "[Threadline] Confirm your email address"
    assert mail.body.startswith("Hello from Threadline!")
    assert "sign up on Threadline" in mail.body and "Thank you for using Threadline!" in mail.body
    assert "Hello from testserver" not in mail.body and "example.com" not in mail.body


def test_password_reset_email_speaks_in_the_site_name(client, user, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response["Location"] == reverse("account_reset_password_done")
    (mail,) = mailoutbox
    assert mail.subject == "[Threadline] Reset your password"
    assert mail.body.startswith("Hello from Threadline!")
    assert "your Threadline account" in mail.body and "example.com" not in mail.body.replace(user.email, "")


def test_emails_follow_a_configured_site_name(client, settings, mailoutbox):
    settings.SITE_NAME = "Acme Threads"
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Acme Threads] "  # settings.py derives it from SITE_NAME
    sign_up(client)
    (mail,) = mailoutbox
    assert mail.subject == "[Acme Threads] Confirm your email address"
    assert mail.body.startswith("Hello from Acme Threads!") and "Threadline" not in mail.body
    # The layout names the site the same way.
    html = client.get(reverse("account_login")).content.decode()
    assert "<title>Log in · Acme Threads</title>" in html
    assert re.search(r'class="navbar-brand[^"]*"[^>]*>\s*<img[^>]*>\s*Acme Threads\s*</a>', html)


def test_password_reset_link_leads_to_a_threadline_form(client, user, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mailoutbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert_threadline_page(response, "Choose a new password")
    response = client.post(response.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert_threadline_page(client.get(response["Location"]), "Password changed")
    bad = client.get(link.replace("/key/", "/key/zz-").rstrip("/") + "x/", follow=True)
    assert_threadline_page(bad, "Reset link not valid")


# --- Confirming the email logs the new user in -------------------------------------------------------


def test_confirming_the_email_logs_in_and_lands_on_projects(client, mailoutbox):
    sign_up(client)
    verification = client.get(reverse("account_email_verification_sent"))
    assert_threadline_page(verification, "Verify your email address")
    assert not verification.wsgi_request.user.is_authenticated

    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body).group(1)
    assert_threadline_page(client.get(link), "Confirm your email address")
    response = client.post(link)
    assert response["Location"] == reverse("projects:project_list")
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert landing.wsgi_request.user.username == "newcomer"
    assert EmailAddress.objects.get(email="newcomer@threadline.test").verified


def test_already_logged_in_note_is_a_status_alert(client, user):
    client.force_login(user)
    response = client.get(reverse("account_reset_password"))
    assert_threadline_page(response, "Reset your password")
    note = r'<div class="alert alert-info" role="status">\s*<strong>Note:</strong> You are already logged in as ada'
    assert re.search(note, response.content.decode())


def test_account_settings_nav_marks_the_current_section(logged_in):
    html = logged_in.get(reverse("mfa_index")).content.decode()
    assert re.search(r'class="nav-link active" aria-current="page" href="/accounts/2fa/">Two-factor', html)
    assert 'href="/account/tokens/">API tokens' in html and 'href="/account/profile/">Profile' in html


@pytest.mark.parametrize(
    ("label", "expected"),
    [("Remember Me", "Remember me"), ("New Password (again)", "New password (again)"), ("Email", "Email"),
     ("TOTP Code", "TOTP code"), ("Authenticator code", "Authenticator code"), ("", "")],
)  # fmt: skip
def test_sentence_case(label, expected):
    from apps.accounts.templatetags.auth_pages import sentence_case

    assert sentence_case(label) == expected
