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


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_reports_by_api_show_on_the_dora_dashboard_compare_and_a_failed_gate(page_as, project, users, screenshot,
                                                                           live_server):  # fmt: skip
    """CI's whole loop over real HTTP: two deployments and an incident reported by API, the dashboard's
    figures derived from them, the comparison of the two environments, and a gate that says no."""
    from datetime import UTC, datetime, timedelta

    from apps.accounts.services import api_token_create

    _, token = api_token_create(user=users["member"], name="ci")
    page = page_as("viewer")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    api = page.context.request
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{live_server.url}/api/v1/projects/payments-api"
    now = datetime.now(UTC).replace(microsecond=0)

    def iso(moment):
        return moment.isoformat().replace("+00:00", "Z")

    def post(path, body):
        answer = api.post(f"{base}/{path}", data=body, headers=headers)
        assert answer.status in (200, 201), answer.text()
        return answer.json()

    # production gets 1.0 (its commit made 24 h before it finished); staging gets 1.1 with one more commit
    post("deployments/", {"environment": "production", "version": "1.0", "commit": "a" * 40, "external_id": "p-1",
                          "started_at": iso(now - timedelta(hours=5, minutes=5)),
                          "finished_at": iso(now - timedelta(hours=5)),
                          "changes": [{"sha": "1" * 40, "message": "REQ-1 Accept cards",
                                       "committed_at": iso(now - timedelta(hours=29))}]})  # fmt: skip
    post("deployments/", {"environment": "staging", "version": "1.1", "commit": "b" * 40, "external_id": "s-2",
                          "finished_at": iso(now - timedelta(hours=1)),
                          "changes": [{"sha": "2" * 40, "message": "Faster refunds",
                                       "committed_at": iso(now - timedelta(hours=3))}]})  # fmt: skip
    # it hurt: opened an hour after 1.0 finished (the cause is suggested: 1.0), resolved 3 h after 1.0 finished
    incident = post("incidents/", {"external_id": "alert-7", "status": "firing", "title": "Card errors",
                                   "severity": "sev2", "environment": "production",
                                   "started_at": iso(now - timedelta(hours=4))})  # fmt: skip
    post("incidents/", {"external_id": "alert-7", "status": "resolved", "resolved_at": iso(now - timedelta(hours=2))})
    assert incident["caused_by"] is not None

    page.goto("/projects/payments-api/deployments/dora/")
    tiles = {metric: page.locator(f"[data-metric={metric}]").inner_text() for metric in
             ("deployment_frequency", "lead_time", "change_failure_rate", "recovery_time", "rework_rate")}  # fmt: skip
    assert tiles["lead_time"] == "1.0 d"  # committed 29 h before now, in production 5 h before now: 24 h
    assert tiles["change_failure_rate"] == "100 %"  # the one production deployment caused the incident
    assert tiles["recovery_time"] == "3.0 h"  # finished now-5 h, incident resolved now-2 h
    assert tiles["rework_rate"] == "0 %" and tiles["deployment_frequency"].startswith("0.1")  # 1 in 90 days
    page.locator("canvas[data-dora-trend=lead_time]").wait_for()
    screenshot(page, "deployments-dora")

    page.goto("/projects/payments-api/deployments/environments/compare/?base=production&head=staging")
    main = page.locator("#main").inner_text()
    assert "1 commit in staging not in production" in main and "Faster refunds" in main
    screenshot(page, "deployments-compare")

    gate = post("gates/check/", {"environment": "production", "commit": "b" * 40})
    assert gate["pass"] is False and any("No test runs" in reason for reason in gate["reasons"])
    page.goto("/projects/payments-api/deployments/environments/production/")
    policy = page.get_by_role("region", name="Release gate")
    assert "failed" in policy.inner_text() and "No test runs" in policy.inner_text()
    screenshot(page, "deployments-gate")
    assert not errors, errors
