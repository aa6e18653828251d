"""Browser fixtures: headless Debian Chromium driven by Playwright against Django's live_server.

Skipped (with a reason) where /usr/bin/chromium is absent; CI installs it.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOT_DIR = os.environ.get("E2E_SCREENSHOT_DIR", "var/screenshots")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    # As long as pages wait (15 s, below): on a loaded 2-core CI machine an htmx round trip can pass 5 s.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_as(browser, live_server, users):
    """page_as("member") -> a Playwright page whose browser is logged in as that role (session cookie)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def make(role: str, viewport=None):
        client = Client()
        client.force_login(users[role])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = browser.new_context(base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name"): keep a picture of the page to look at (var/screenshots, not committed)."""

    def take(page, name: str) -> None:
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)

    return take
