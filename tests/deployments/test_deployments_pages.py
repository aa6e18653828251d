"""The deployment pages that belong to no one model, on the seeded demo: the overview (pipeline and the
environment × component matrix), the comparison of two environments — and their query counts, which
must not grow with the history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.deployments import services
from apps.deployments.models import Environment
from tests.kit import assert_queries

pytestmark = pytest.mark.django_db

URL = "/projects/payments-api/deployments"


def more_history(project, user, count):
    now = timezone.now()
    for n in range(count):
        services.deployment_report(project=project, actor=user, values={
            "environment": "staging" if n % 2 else "production", "version": f"9.{n}", "commit": f"{n:040x}",
            "finished_at": now - timedelta(days=80 - n, hours=5), "components": ["payments-api", "ledger"],
            "changes": [{"sha": f"{n + 7000:040x}", "message": f"REQ-{n % 3 + 1} work"}]})  # fmt: skip


def test_the_overview_shows_the_pipeline_and_what_runs_where(client_as, demo, users):
    client = client_as("viewer")
    page = client.get(f"{URL}/overview/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index(">Staging<") < text.index(">Production<")  # pipeline order
    assert "What runs where" in text and "payments-api v1" in text and "payments-api v2" in text
    assert "1 open incident" in text
    count = assert_queries(13, lambda: client.get(f"{URL}/overview/"), "overview").status_code
    more_history(demo, users["owner"], 30)
    assert assert_queries(13, lambda: client.get(f"{URL}/overview/"), "overview, more history").status_code == 200
    assert count == 200


def test_compare_lists_the_commits_requirements_and_contract_changes_head_has(client_as, demo, users):
    client = client_as("viewer")
    page = client.get(f"{URL}/environments/compare/?base=production&head=staging")
    text = page.content.decode()
    assert "2 commits in staging not in production" in text
    assert "REQ-4" in text and "Faster card checks" in text and "REQ-1 Accept" not in text
    assert "v1 → v2" in text and "breaking" in text  # the demo's v2 drops the refunds operation
    other_way = client.get(f"{URL}/environments/compare/?base=staging&head=production").content.decode()
    assert "1 commit in production not in staging" in other_way  # the demo's hotfix
    more_history(demo, users["owner"], 30)
    assert_queries(15, lambda: client.get(f"{URL}/environments/compare/?base=production&head=staging"), "compare")
    unknown = client.get(f"{URL}/environments/compare/?base=nowhere&head=staging").content.decode()
    assert "No environment called “nowhere”" in unknown


def test_pages_need_a_member_of_the_project(client_as, demo):
    assert client_as("outsider").get(f"{URL}/overview/").status_code == 404
    assert client_as("outsider").get(f"{URL}/environments/compare/").status_code == 404


def test_an_empty_project_is_told_what_to_do(client_as, project):
    assert "Report your first deployment" in client_as("viewer").get(f"{URL}/overview/").content.decode()
    assert "Comparing needs two environments" in client_as("viewer").get(
        f"{URL}/environments/compare/").content.decode()  # fmt: skip
    assert not Environment.objects.exists()


def test_the_compare_api_answers_the_same_as_the_page(api_as, demo):
    api = api_as("viewer")
    body = api.get("/api/v1/projects/payments-api/environments/compare/?base=production&head=staging").json()
    assert body["ahead_count"] == 2 and body["behind_count"] == 1
    assert [c["message"] for c in body["changes"]] == ["REQ-4 Refund a payment", "Faster card checks"]
    assert [r["key"] for r in body["requirements"]] == ["REQ-4"]
    assert body["contracts"][0]["contract"] == "payments-api" and body["contracts"][0]["breaking"] is True
    assert body["contracts"][0]["changes"][0]["level"] == "ERR"
    assert body["head_current"]["version"] == "1.1.0" and body["base_current"]["version"] == "1.0.0"
    refused = api.get("/api/v1/projects/payments-api/environments/compare/?base=nowhere&head=staging")
    assert refused.status_code == 400 and "nowhere" in refused.json()["errors"]["base"][0]
    assert api.get("/api/v1/projects/payments-api/environments/compare/").status_code == 400
    outsider = api_as("outsider").get("/api/v1/projects/payments-api/environments/compare/?base=a&head=b")
    assert outsider.status_code == 404
