"""Limits before disk: an oversized body is refused on its Content-Length, before anything reads it.

The test client's body here is a few bytes while Content-Length claims far more: if anything tried
to read the claimed body, Django's stream would raise — so a clean 413 proves nothing was read.
"""

import pytest

from apps.testruns.models import ReportUpload, TestRun

pytestmark = pytest.mark.django_db

GB = 1024**3


def test_a_huge_report_upload_is_refused_before_it_is_read(api_as, project):
    api = api_as("member")
    response = api.post(f"/api/v1/projects/{project.slug}/test-runs/?name=unit", data=b"<testsuites/>",
                        content_type="application/xml", CONTENT_LENGTH=str(2 * GB))  # fmt: skip
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "MB" in response.json()["detail"]
    assert not TestRun.objects.exists() and not ReportUpload.objects.exists()


def test_each_endpoint_keeps_its_own_limit(api_as, project, settings):
    api = api_as("member")
    # Report uploads take the report limit (+1 MB of form fields); a requirement takes far less.
    settings.TESTRUNS_MAX_REPORT_BYTES = 10 * 1024 * 1024
    claimed = str(12 * 1024 * 1024)
    upload = api.post(f"/api/v1/projects/{project.slug}/test-runs/", data=b"x", content_type="application/xml",
                      CONTENT_LENGTH=claimed)  # fmt: skip
    requirement = api.post(f"/api/v1/projects/{project.slug}/requirements/", data=b"{}",
                           content_type="application/json", CONTENT_LENGTH=claimed)  # fmt: skip
    project_create = api.post("/api/v1/projects/", data=b"{}", content_type="application/json",
                              CONTENT_LENGTH=claimed)  # fmt: skip
    assert [upload.status_code, requirement.status_code, project_create.status_code] == [413, 413, 413]


def test_a_huge_form_post_is_refused_before_csrf_reads_it(client_as, project):
    # The CSRF check reads request.POST (and would spool a file part to disk): the limit comes first.
    client = client_as("maintainer")
    response = client.post(f"/projects/{project.slug}/requirements/import/", data=b"x",
                           content_type="multipart/form-data; boundary=zzz", CONTENT_LENGTH=str(GB))  # fmt: skip
    assert response.status_code == 413 and b"limit" in response.content


def test_bodies_within_the_limits_are_read_as_usual(api_as, project):
    response = api_as("member").post(f"/api/v1/projects/{project.slug}/requirements/", {"title": "Refunds"},
                                     format="json")  # fmt: skip
    assert response.status_code == 201
