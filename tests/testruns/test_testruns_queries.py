"""Exact query counts of every test-run page and endpoint, on a dataset where an N+1 would show."""

import pytest
from django.urls import reverse

from apps.testruns.models import TestCase, TestRun
from tests.kit import assert_queries
from tests.testruns.testruns_support import junit, run_of

pytestmark = pytest.mark.django_db

CASES = 40
# The flaky window's SQL differs by engine (apps.testruns.selectors.flaky_tests): two more on PostgreSQL.
FLAKY_WINDOW_PAGE = {"postgresql": 12, "sqlite": 10}
FLAKY_WINDOW_API = {"postgresql": 9, "sqlite": 7}


def _report(number: int) -> bytes:
    specs = []
    for i in range(CASES):
        status = "failed" if (i + number) % 7 == 0 else "error" if i % 13 == 0 else "passed"
        specs.append(f"pkg.C{i % 4}.t{i}:{status}:value {i} != {number}")
    return junit(*specs)


@pytest.fixture
def dataset(upload):
    return [run_of(upload(_report(n), name="unit", branch="main" if n % 3 else "dev")) for n in range(12)]


def _urls(project, dataset):
    slug, run, case = project.slug, dataset[-1], TestCase.objects.filter(name="t7").get()
    return {
        "run list": (reverse("testruns:run_list", args=[slug]), 6),
        "run detail": (reverse("testruns:run_detail", args=[slug, run.number]), 15),
        "run results": (reverse("testruns:run_results", args=[slug, run.number]), 8),
        "case list": (reverse("testruns:case_list", args=[slug]), 6),
        "case detail": (reverse("testruns:case_detail", args=[slug, case.pk]), 8),
        "flaky": (reverse("testruns:flaky_list", args=[slug]), 7),
        "flaky on branch": (reverse("testruns:flaky_list", args=[slug]) + "?branch=main", FLAKY_WINDOW_PAGE),
        "compare": (reverse("testruns:compare", args=[slug]) + f"?head={run.number}", 12),
        "trends": (reverse("testruns:trends", args=[slug]), 6),
        "api runs": (f"/api/v1/projects/{slug}/test-runs/?page_size=100", 5),
        "api run": (f"/api/v1/projects/{slug}/test-runs/{run.number}/", 4),
        "api results": (f"/api/v1/projects/{slug}/test-runs/{run.number}/results/?page_size=100", 6),
        "api failed results": (f"/api/v1/projects/{slug}/test-runs/{run.number}/results/?status=failed", 6),
        "api compare": (f"/api/v1/projects/{slug}/test-runs/{run.number}/compare/", 11),
        "api trends": (f"/api/v1/projects/{slug}/test-runs/trends/?branch=main", 4),
        "api cases": (f"/api/v1/projects/{slug}/test-cases/?page_size=100", 5),
        "api case": (f"/api/v1/projects/{slug}/test-cases/{case.pk}/", 4),
        "api history": (f"/api/v1/projects/{slug}/test-cases/{case.pk}/history/", 6),
        "api flaky": (f"/api/v1/projects/{slug}/flaky-tests/", 4),
        "api flaky on branch": (f"/api/v1/projects/{slug}/flaky-tests/?branch=main&name=unit", FLAKY_WINDOW_API),
    }


@pytest.mark.parametrize("name", [
    "run list", "run detail", "run results", "case list", "case detail", "flaky", "flaky on branch", "compare",
    "trends", "api runs", "api run", "api results", "api failed results", "api compare", "api trends",
    "api cases", "api case", "api history", "api flaky", "api flaky on branch",
])
def test_query_count(client_as, project, dataset, name):
    url, limit = _urls(project, dataset)[name]
    client = client_as("viewer")
    client.get(url)  # warm up: the content-type cache is filled once per process, not per row
    response = assert_queries(limit, lambda: client.get(url), name)
    assert response.status_code == 200


def test_api_lists(api_as, project, dataset):
    api = api_as("viewer")
    slug = project.slug
    runs = api.get(f"/api/v1/projects/{slug}/test-runs/?branch=dev").json()
    assert runs["count"] == 4 and all(r["branch"] == "dev" for r in runs["results"])
    run = dataset[-1]
    failed = api.get(f"/api/v1/projects/{slug}/test-runs/{run.number}/results/?status=failed").json()
    assert failed["count"] == run.failed and {r["status"] for r in failed["results"]} == {"failed"}
    case = TestCase.objects.get(name="t7")
    history = api.get(f"/api/v1/projects/{slug}/test-cases/{case.pk}/history/?branch=main").json()
    assert history["count"] == 8 and history["results"][0]["run"]["number"] > history["results"][-1]["run"]["number"]
    trends = api.get(f"/api/v1/projects/{slug}/test-runs/trends/?branch=main&name=unit").json()["points"]
    assert len(trends) == 8 and trends[0]["number"] < trends[-1]["number"] and "pass_rate" in trends[0]
    compare = api.get(f"/api/v1/projects/{slug}/test-runs/{run.number}/compare/").json()
    previous = TestRun.objects.filter(branch=run.branch, id__lt=run.pk).order_by("-id").first()
    assert compare["base"] == previous.number and compare["new_failures_count"] == len(compare["new_failures"])
    flaky = api.get(f"/api/v1/projects/{slug}/flaky-tests/?branch=main&name=unit").json()
    assert flaky["count"] >= 1 and all(row["flips"] >= 2 for row in flaky["results"])
    assert api.get(f"/api/v1/projects/{slug}/flaky-tests/?window=1").status_code == 400
    assert api.get(f"/api/v1/projects/{slug}/test-runs/{run.number}/compare/?base=x").status_code == 400


@pytest.mark.parametrize(("role", "expected"), [("owner", 200), ("viewer", 200), ("outsider", 404)])
def test_api_read_roles(api_as, project, dataset, role, expected):
    api = api_as(role)
    slug, run = project.slug, dataset[0]
    case = TestCase.objects.first()
    for url in [f"/api/v1/projects/{slug}/test-runs/", f"/api/v1/projects/{slug}/test-runs/{run.number}/",
                f"/api/v1/projects/{slug}/test-runs/{run.number}/results/",
                f"/api/v1/projects/{slug}/test-runs/{run.number}/compare/",
                f"/api/v1/projects/{slug}/test-runs/trends/", f"/api/v1/projects/{slug}/test-cases/",
                f"/api/v1/projects/{slug}/test-cases/{case.pk}/history/", f"/api/v1/projects/{slug}/flaky-tests/"]:
        assert api.get(url).status_code == expected, url


@pytest.mark.parametrize(("role", "expected"), [("owner", 204), ("maintainer", 204), ("member", 403),
                                                ("viewer", 403), ("outsider", 404)])
def test_api_delete_roles(api_as, project, dataset, role, expected):
    run = dataset[0]
    assert api_as(role).delete(f"/api/v1/projects/{project.slug}/test-runs/{run.number}/").status_code == expected


def test_other_projects_runs_are_404(api_as, project, other_project, dataset):
    run = dataset[0]
    assert api_as("outsider").get(f"/api/v1/projects/secret/test-runs/{run.number}/").status_code == 404
