"""One filter, one answer: every list page that has an API twin gives the same rows for the same
query string (the page and the endpoint share one FilterSet or one parameter parser)."""

import pytest

from apps.core.registry import seed_project
from apps.testruns.models import TestRun

pytestmark = pytest.mark.django_db


def _page_rows(response):
    context = response.context
    return list(context["rows"]) if "rows" in context else list(context["object_list"])


# name: (page path, API path, page row -> id, API row -> id, query strings)
PAIRS = {
    "requirements": ("requirements/", "requirements/", lambda r: r.key, lambda r: r["key"],
                     ["", "status=in_review", "q=card", "priority=must&ordering=-priority", "label=psd2",
                      "parent=REQ-1", "verification=untested", "type=non_functional"]),
    "labels": ("requirements/labels/", "requirements/labels/", lambda r: r.name, lambda r: r["name"],
               ["", "q=ps", "ordering=-name"]),
    "runs": ("test-runs/", "test-runs/", lambda r: r.number, lambda r: r["number"],
             ["", "branch=main", "status=complete", "name=unit", "branch=nope"]),
    "tests": ("test-runs/tests/", "test-cases/", lambda r: r.pk, lambda r: r["id"],
              ["", "last_status=failed", "flaky=true", "flaky=false", "q=refund", "suite=payments"]),
    "flaky": ("test-runs/flaky/", "flaky-tests/", lambda r: r["test_case"].pk, lambda r: r["test_case"]["id"],
              ["", "branch=main", "branch=main&name=unit", "branch=main&name="]),
    "run results": ("test-runs/{run}/results/", "test-runs/{run}/results/", lambda r: r.pk, lambda r: r["id"],
                    ["", "status=failing", "status=skipped", "q=refund", "flaky=true"]),
    "activity": ("activity/", "activity/", lambda r: r.pk, lambda r: r["id"],
                 ["", "object_type=requirements.requirement", "actor=owner", "action=create"]),
    "members": ("members/", "members/", lambda r: r.user.username, lambda r: r["user"]["username"],
                ["", "role=owner", "q=mem"]),
}  # fmt: skip


@pytest.fixture
def seeded(project, users, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        seed_project(project=project, user=users["owner"])
    return TestRun.objects.filter(project=project).order_by("-number").first()


@pytest.mark.parametrize("pair", list(PAIRS))
def test_a_page_and_its_api_list_give_the_same_rows(client_as, api_as, project, seeded, pair):
    page_path, api_path, page_id, api_id, queries = PAIRS[pair]
    client, api = client_as("viewer"), api_as("viewer")
    for query in queries:
        suffix = f"?{query}&page_size=500" if query else "?page_size=500"
        page = client.get(f"/projects/{project.slug}/{page_path.format(run=seeded.number)}{suffix}")
        answer = api.get(f"/api/v1/projects/{project.slug}/{api_path.format(run=seeded.number)}{suffix}")
        assert page.status_code == 200 and answer.status_code == 200, (pair, query, answer.content[:300])
        on_page = [page_id(row) for row in _page_rows(page)]
        in_api = [api_id(row) for row in answer.json()["results"]]
        assert sorted(map(str, on_page)) == sorted(map(str, in_api)), (pair, query)


def test_the_projects_page_and_api_agree(client_as, api_as, project, other_project):
    for query in ["", "q=pay", "archived=false", "archived=true"]:
        page = [p.slug for p in client_as("owner").get(f"/projects/?{query}").context["object_list"]]
        answer = [p["slug"] for p in api_as("owner").get(f"/api/v1/projects/?{query}").json()["results"]]
        assert sorted(page) == sorted(answer), query
