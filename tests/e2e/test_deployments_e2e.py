"""Browser check of the deployment pages: a deployment reported by API shows in the list, its page
lists the changes it brought, the environment page what it runs now — no console error."""

import pytest

from apps.deployments import services


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_reported_deployment_shows_on_its_pages(page_as, project, users, screenshot):
    deployment = services.deployment_report(project=project, actor=users["owner"], values={
        "environment": "production", "version": "2.4.0", "commit": "f" * 40, "status": "success",
        "changes": [{"sha": "e" * 40, "message": "REQ-3 Partial refunds", "author": "ann"}]})  # fmt: skip
    page = page_as("viewer")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/projects/payments-api/deployments/")
    page.get_by_role("link", name="production").first.wait_for()
    screenshot(page, "deployments-list")
    page.goto(f"/projects/payments-api/deployments/{deployment.pk}/")
    assert "REQ-3 Partial refunds" in page.locator("#main").inner_text()
    screenshot(page, "deployments-detail")
    page.goto("/projects/payments-api/deployments/environments/production/")
    assert "2.4.0" in page.locator("#main").inner_text() and "guessed" in page.locator("#main").inner_text()
    screenshot(page, "deployments-environment")
    assert not errors, errors
