"""Every architecture page of the demo project (what `make run` seeds) in a real browser: it loads,
each diagram on it renders to SVG (none shows an error), and nothing is logged to the console. The
screenshots (var/screenshots/architecture-page-*.png) are what a reviewer looks at."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.architecture.models import DataModel, Document

BASE = "/projects/payments-api/architecture"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_every_architecture_page_renders_its_diagrams(browser, live_server, screenshot):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    call_command("seed_demo", stdout=StringIO())
    document = Document.objects.get(title="Card payment")
    data_model = DataModel.objects.get(key="payments-schema")
    pages = {
        "overview": "/", "components": "/components/", "component": "/components/payments-api/?depth=2",
        "system": "/systems/payments/", "relations": "/relations/", "diagrams": "/diagrams/",
        "diagram": f"/diagrams/{document.pk}/", "diagram-edit": f"/diagrams/{document.pk}/edit/",
        "data-model": f"/data-models/{data_model.key}/",
        "data-model-version": f"/data-models/{data_model.key}/versions/2/",
        "data-model-diff": f"/data-models/{data_model.key}/diff/", "decisions": "/decisions/",
        "decision": "/decisions/ADR-0002/", "apis": "/apis/", "import": "/catalog/import/",
    }  # fmt: skip
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for name, path in pages.items():
            response = page.goto(BASE + path)
            assert response.status == 200, (name, response.status)
            figures = page.locator("figure[data-diagram]")
            for index in range(figures.count()):
                figures.nth(index).locator("[data-diagram-canvas] svg").wait_for()
                assert figures.nth(index).locator("[data-diagram-error]").is_hidden(), name
            if name == "diagram-edit":
                page.locator("[data-editor-preview] svg").wait_for()
            screenshot(page, f"architecture-page-{name}")
            assert not errors, (name, errors)
    finally:
        context.close()
