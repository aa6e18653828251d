"""Test runs are numbered per project: a new project's first run is #1 whatever other projects hold,
pages and the API find runs by that number, and existing runs were numbered by the migration."""

import importlib

import pytest
from django.apps import apps

from apps.core.models import ProjectCounter
from apps.testruns.models import TestRun
from tests.testruns.testruns_support import URL, junit, run_of

pytestmark = pytest.mark.django_db


def test_each_project_counts_its_own_runs(upload, api_as, project, other_project, users):
    outsider = api_as("outsider")
    for _ in range(3):
        run_of(upload(junit("a:passed"), slug="secret", api=outsider))
    first = run_of(upload(junit("a:passed"), name="unit"))
    second = run_of(upload(junit("a:failed"), name="unit"))
    assert (first.number, second.number) == (1, 2)  # not 4 and 5: other projects' runs don't show
    page = api_as("viewer").get(URL.format(slug=project.slug) + "2/")
    assert page.status_code == 200 and page.json()["number"] == 2 and "id" not in page.json()
    assert page.json()["url"].endswith("/test-runs/2/") and page.json()["web_url"].endswith("/test-runs/2/")
    assert str(second) == "unit #2"
    assert api_as("viewer").get(URL.format(slug=project.slug) + "3/").status_code == 404


def test_numbers_are_never_reused(upload, api_as, project):
    run_of(upload(junit("a:passed")))
    second = run_of(upload(junit("a:passed")))
    assert api_as("maintainer").delete(URL.format(slug=project.slug) + f"{second.number}/").status_code == 204
    assert run_of(upload(junit("a:passed"))).number == 3


def test_pages_use_the_number(upload, client_as, project):
    run_of(upload(junit("a:passed"), name="unit"))
    run_of(upload(junit("a:failed"), name="unit"))
    page = client_as("viewer").get(f"/projects/{project.slug}/test-runs/2/").content.decode()
    assert "unit #2" in page
    listing = client_as("viewer").get(f"/projects/{project.slug}/test-runs/").content.decode()
    assert f'href="/projects/{project.slug}/test-runs/2/"' in listing


def test_the_migration_numbers_existing_runs_in_upload_order(upload, project, other_project, api_as):
    runs = [run_of(upload(junit("a:passed"))) for _ in range(3)]
    theirs = run_of(upload(junit("a:passed"), slug="secret", api=api_as("outsider")))
    # As before the migration: no numbers, no counters.
    TestRun.objects.filter(pk=runs[0].pk).update(number=90)
    TestRun.objects.filter(pk=runs[1].pk).update(number=80)
    TestRun.objects.filter(pk=runs[2].pk).update(number=70)
    TestRun.objects.filter(pk=theirs.pk).update(number=60)
    ProjectCounter.objects.filter(name="testrun").delete()
    migration = importlib.import_module("apps.testruns.migrations.0007_run_numbers_per_project")
    migration.number_existing(apps, None)
    assert [TestRun.objects.get(pk=r.pk).number for r in runs] == [1, 2, 3]
    assert TestRun.objects.get(pk=theirs.pk).number == 1
    assert ProjectCounter.objects.get(project=project, name="testrun").last_number == 3
    assert run_of(upload(junit("a:passed"))).number == 4  # the counter continues
