"""Browser journey of contracts: a member creates a contract, uploads two versions by the upload form
(the worker validates them), sees the second flagged breaking, opens the diff with the removed
operation first, and opens the interactive docs of a version (Swagger UI, read-only)."""

import json

import pytest

URL = "/projects/payments-api/contracts"


def spec(version: str, *, with_delete: bool) -> str:
    paths = {"/pets": {"get": {"operationId": "listPets", "summary": "All pets", "responses": {"200": {
        "description": "ok"}}}}}  # fmt: skip
    if with_delete:
        paths["/pets/{id}"] = {"delete": {"operationId": "deletePet", "summary": "Remove a pet", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"204": {"description": "gone"}}}}  # fmt: skip
    return json.dumps({"openapi": "3.0.3", "info": {"title": "Pets", "version": version}, "paths": paths})


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_upload_two_versions_see_the_breaking_change_open_the_docs(page_as, project, screenshot, tmp_path):
    page = page_as("member")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{URL}/")
    page.get_by_role("link", name="New contract").click()
    page.get_by_label("Slug").fill("pets")
    page.get_by_label("Name").fill("Pets API")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{URL}/pets/")

    first = tmp_path / "pets-v1.json"
    first.write_text(spec("1.0.0", with_delete=True))
    page.get_by_role("link", name="Upload a version").click()
    page.get_by_label("Spec file").set_input_files(str(first))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(f"**{URL}/pets/versions/1/")
    page.goto(f"{URL}/pets/versions/new/")
    page.get_by_label("…or paste it").fill(spec("2.0.0", with_delete=False))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(f"**{URL}/pets/versions/2/")
    assert page.locator("#version-status").get_attribute("data-status") == "valid"

    page.goto(f"{URL}/pets/")
    breaking = page.get_by_role("link", name="breaking")
    assert breaking.count() == 1
    screenshot(page, "contracts-contract")
    breaking.click()
    page.wait_for_url(f"**{URL}/pets/diff/**")
    first_group = page.locator("section.card").first
    assert "DELETE /pets/{id}" in first_group.inner_text() and "ERR" in first_group.inner_text()
    screenshot(page, "contracts-diff")

    page.goto(f"{URL}/pets/versions/1/")
    screenshot(page, "contracts-version")
    page.locator("#main").get_by_role("link", name="API docs").click()
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() == 2
    assert page.get_by_role("button", name="Try it out").count() == 0  # read-only: a team's API is elsewhere
    screenshot(page, "contracts-docs")
    assert not errors, errors


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_every_contracts_page_of_the_demo_loads_cleanly(browser, live_server, screenshot):
    """The demo's contract pages (what `make run` seeds) load with no console error."""
    from io import StringIO

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("seed_demo", stdout=StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = "/projects/payments-api/contracts"
    pages = {"list": "/", "contract": "/payments-api/", "version": "/payments-api/versions/2/",
             "diff": "/payments-api/diff/", "upload": "/payments-api/versions/new/", "lint": "/lint-rules/",
             "docs": "/payments-api/versions/1/docs/"}  # fmt: skip
    try:
        for name, path in pages.items():
            assert page.goto(base + path).status == 200, name
            if name == "docs":
                page.locator(".swagger-ui .opblock").first.wait_for()
            screenshot(page, f"contracts-page-{name}")
            assert not errors, (name, errors)
    finally:
        context.close()
