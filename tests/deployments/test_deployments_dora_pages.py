"""The DORA dashboard and API on the seeded demo: five tiles with bands, the weekly trend, the rows behind
a figure; the API's answer in the issue's shape; bad scope refused clearly; query counts pinned."""

import pytest

from tests.deployments.test_deployments_pages import more_history
from tests.kit import assert_queries

pytestmark = pytest.mark.django_db

URL = "/projects/payments-api/deployments/dora/"
API = "/api/v1/projects/payments-api/dora/"
# On PostgreSQL the report and the trend each run in a transaction with SET LOCAL work_mem and jit (4 more).
DASHBOARD = {"sqlite": 18, "postgresql": 22}


def test_the_api_answers_the_five_keys_with_units_and_bands(api_as, demo):
    body = api_as("viewer").get(API, {"period": "90d"}).json()
    assert set(body) == {"deployment_frequency", "lead_time", "change_failure_rate", "recovery_time", "rework_rate",
                         "period"}  # fmt: skip
    # the demo: 13 production deployments in the last 90 days (11 weekly releases, 1.0.0, the 0.9.1 hotfix)
    frequency = body["deployment_frequency"]
    assert frequency["deployments"] == 13 and frequency["unit"] == "deployments/week"
    assert body["change_failure_rate"]["failed_deployments"] == 1  # 0.9.0 caused the double-charge incident
    assert body["rework_rate"]["unplanned_deployments"] == 1  # the hotfix
    assert body["recovery_time"]["value"] == pytest.approx(3 * 3600 + 5 * 60, abs=1)  # fixed by 0.9.1, 3h05 later
    assert body["lead_time"]["value"] > 0 and body["lead_time"]["band"] in {"elite", "high", "medium", "low"}
    assert 0 <= body["change_failure_rate"]["value"] <= 1
    one = api_as("viewer").get(API, {"period": "30d", "environment": "production", "component": "payments-api"})
    assert one.status_code == 200


@pytest.mark.parametrize("query, field", [
    ({"period": "90x"}, "period"), ({"period": "999d"}, "period"), ({"environment": "nowhere"}, "environment"),
    ({"component": "nope"}, "component"),
])  # fmt: skip
def test_a_bad_scope_is_a_clear_400(api_as, demo, query, field):
    answer = api_as("viewer").get(API, query)
    assert answer.status_code == 400 and field in answer.json()["errors"]


def test_the_drill_down_names_the_rows_behind_a_figure(api_as, demo):
    api = api_as("viewer")
    failing = api.get(f"{API}drill-down/", {"metric": "change_failure_rate"}).json()
    assert len(failing["deployments"]) == 1 and len(failing["incidents"]) == 1
    assert failing["counts"] == {"deployments": 1, "changes": 0, "incidents": 1}
    assert api.get(f"{API}drill-down/", {"metric": "nonsense"}).status_code == 400
    assert api_as("outsider").get(API).status_code == 404


def test_the_dashboard_shows_tiles_trend_and_drill_down(client_as, demo, users):
    client = client_as("viewer")
    page = assert_queries(DASHBOARD, lambda: client.get(URL), "dashboard")
    more_history(demo, users["owner"], 20)
    assert_queries(DASHBOARD, lambda: client.get(URL), "dashboard, more history")
    text = page.content.decode()
    assert "Deployment frequency" in text and "Rework rate" in text and 'id="dora-trend"' in text
    assert "Accelerate State of DevOps" in text
    drilled = client.get(URL, {"metric": "change_failure_rate"}).content.decode()
    assert "Card payments charged twice" in drilled and "0.9.0" in drilled
    lead = client.get(URL, {"metric": "lead_time"}).content.decode()
    assert "Changes and their lead times (13)" in lead and "Release 0.1.0" in lead
    assert "No environment" in client.get(URL, {"environment": "nowhere"}).content.decode()


def test_an_empty_project_is_told_what_the_keys_need(client_as, project):
    assert "No successful production deployment" in client_as("viewer").get(URL).content.decode()


def test_deleting_a_mistaken_deployment_hands_its_changes_to_the_next_one(project, users):
    from datetime import UTC, datetime, timedelta

    from apps.core.kit import kit_for
    from apps.deployments import services
    from apps.deployments.models import ChangeDelivery, Deployment

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    change = {"sha": "1" * 40, "committed_at": t0 - timedelta(hours=2)}
    first, second = (services.deployment_report(project=project, actor=users["owner"], values={
        "environment": "production", "commit": "a" * 40, "finished_at": t0 + timedelta(hours=n),
        "changes": [change]}) for n in (0, 1))  # fmt: skip
    assert ChangeDelivery.objects.get(component=None).deployment == first
    kit_for(Deployment).delete(instance=first, actor=users["owner"])
    delivery = ChangeDelivery.objects.get(component=None)
    assert delivery.deployment == second and delivery.lead_seconds == 3 * 3600
