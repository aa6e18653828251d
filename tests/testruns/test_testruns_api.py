"""The CI upload API: 202, metadata, raw/multipart/gzip bodies, idempotency, sharding, roles."""

import pytest

from apps.core.models import ObjectChange
from apps.testruns.models import ReportUpload, TestResult, TestRun
from tests.testruns.testruns_support import URL, junit, run_of

pytestmark = pytest.mark.django_db

REPORT = junit("a:passed", "b:failed:expected 1 got 2", "c:error", "d:skipped", "e:passed")


def test_multipart_upload_answers_202_and_processes(upload, project):
    response = upload(
        REPORT,
        name="unit",
        branch="main",
        commit="abc123",
        build_url="https://ci.example/1",
        build_number="41",
        environment="ci",
        external_id="gh-1",
    )
    assert response.status_code == 202
    body = response.json()
    assert set(body) >= {"number", "url", "status"} and "id" not in body  # no global id
    assert body["number"] == 1  # numbered in the project: its first run
    assert body["url"].endswith(f"/api/v1/projects/{project.slug}/test-runs/1/")
    run = run_of(response)
    assert (run.status, run.name, run.branch, run.commit, run.environment) == (
        "complete",
        "unit",
        "main",
        "abc123",
        "ci",
    )
    assert (run.tests, run.passed, run.failed, run.errors, run.skipped) == (5, 2, 1, 1, 1)
    assert run.uploads.get().status == ReportUpload.State.PROCESSED


def test_run_resource_shape(upload, api_as, project):
    run = run_of(upload(REPORT, name="unit"))
    data = api_as("viewer").get(f"{URL.format(slug=project.slug)}{run.number}/").json()
    assert data["status"] == "complete" and data["error"] == ""
    assert data["totals"] == {"tests": 5, "passed": 2, "failed": 1, "errors": 1, "skipped": 1}
    assert data["duration"] == pytest.approx(2.5)
    assert data["progress"] == 100


@pytest.mark.parametrize("gzip", [False, True])
def test_raw_body_upload(upload, gzip):
    response = upload(REPORT, raw=True, gzip=gzip, name="unit", branch="feature/x")
    assert response.status_code == 202
    run = run_of(response)
    assert run.status == "complete" and run.tests == 5 and run.branch == "feature/x"
    stored = run.uploads.get()
    assert stored.gzip is gzip and stored.size > 0


def test_gzip_multipart_is_sniffed(upload):
    run = run_of(upload(REPORT, gzip=True, filename="report.xml.gz"))
    assert run.status == "complete" and run.tests == 5 and run.uploads.get().gzip


def test_same_external_id_adds_nothing(upload):
    first = upload(REPORT, external_id="build-7")
    again = upload(junit("z:passed"), external_id="build-7")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert TestRun.objects.count() == 1 and ReportUpload.objects.count() == 1
    assert TestResult.objects.count() == 5


def test_change_log_records_the_run_not_results(upload):
    run = run_of(upload(REPORT))
    verbs = list(
        ObjectChange.objects.filter(object_id=str(run.pk), content_type__model="testrun").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == ["completed", "uploaded"]
    assert not ObjectChange.objects.filter(content_type__model__in=["testresult", "testcase"]).exists()


def test_sharded_run(upload, api_as, project, django_capture_on_commit_callbacks):
    api = api_as("member")
    response = upload(junit("a:passed", "b:failed"), api=api, open="true", name="e2e", external_id="pipe-9")
    run = run_of(response)
    assert run.status == "queued" and run.is_open
    base = f"{URL.format(slug=project.slug)}{run.number}/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        shard = api.post(
            base + "reports/",
            {"report": SimpleUploadedFile("2.xml", junit("c:passed", "b:passed"))},
            format="multipart",
        )
        assert shard.status_code == 202
        raw = api.post(
            base + "reports/", data=junit("d:skipped", suite="other"), content_type="application/xml"
        )
        assert raw.status_code == 202
        done = api.post(base + "complete/")
    assert done.status_code == 202
    run.refresh_from_db()
    assert run.status == "complete" and not run.is_open and run.uploads.count() == 3
    # b failed in shard 1 and passed in shard 2: one test, final status passed, flaky in run.
    assert (run.tests, run.passed, run.failed, run.skipped, run.flaky) == (4, 3, 0, 1, 1)
    assert TestResult.objects.get(run=run, test_case__name="b").flaky_in_run
    # Closed now: more files are refused, completing again changes nothing.
    late = api.post(base + "reports/", data=junit("x:passed"), content_type="application/xml")
    assert late.status_code == 409
    assert api.post(base + "complete/").status_code == 202


def test_complete_without_reports_is_400(upload, api_as, project):
    api = api_as("member")
    run = run_of(upload(None, api=api, open="true"))
    response = api.post(f"{URL.format(slug=project.slug)}{run.number}/complete/")
    assert response.status_code == 400 and "no report" in response.json()["errors"]["non_field_errors"][0]


def test_no_file_is_400(upload):
    response = upload(None, name="unit")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "No report" in body["errors"]["report"][0]


def test_unknown_project_is_404(upload):
    response = upload(REPORT, slug="no-such-project")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_bad_metadata_is_400(upload):
    response = upload(REPORT, build_url="not a url")
    assert response.status_code == 400 and "build_url" in response.json()["errors"]


def test_unsupported_content_type_is_415(api_as, project):
    response = api_as("member").post(URL.format(slug=project.slug), data="x", content_type="image/png")
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 202),
        ("maintainer", 202),
        ("member", 202),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_upload_roles(upload, role, expected):
    assert upload(REPORT, role=role).status_code == expected


def test_read_only_token_cannot_upload(upload, api_as):
    assert upload(REPORT, api=api_as("member", read_only=True)).status_code == 403


def test_anonymous_is_refused(project, client):
    assert client.post(URL.format(slug=project.slug)).status_code == 401  # the README: 401 = no token


# --- Found by schemathesis: bodies and parameters that were 500s ---------------------------------


@pytest.mark.parametrize("body", ["[1, 2]", '"report"', "5", "null"])
def test_upload_body_that_is_not_an_object_is_400(api_as, project, media, body):
    response = api_as("member").post(URL.format(slug=project.slug), data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("report", [{}, [], 5, "not a file", {"name": "x.xml"}])
def test_report_that_is_not_a_file_is_400(api_as, project, media, report):
    response = api_as("member").post(URL.format(slug=project.slug), {"report": report, "open": True}, format="json")
    assert response.status_code == 400, response.content
    assert "must be a file" in response.json()["errors"]["report"][0]
    assert not TestRun.objects.exists()


def test_report_as_a_form_text_field_is_400(api_as, project, media):
    response = api_as("member").post(URL.format(slug=project.slug), {"report": "<testsuite/>"}, format="multipart")
    assert response.status_code == 400 and "must be a file" in response.json()["errors"]["report"][0]


def test_open_run_from_json_fields(api_as, project, media):
    response = api_as("member").post(URL.format(slug=project.slug), {"open": True, "name": "e2e"}, format="json")
    assert response.status_code == 202
    assert set(response.json()) == {"number", "url", "status", "web_url"}


@pytest.mark.parametrize(
    "query",
    [
        "test-runs/trends/?branch=a%00b", "test-runs/trends/?name=%00", "flaky-tests/?branch=a%00b",
        "flaky-tests/?window=%C2%B2", "flaky-tests/?window=99999999999999999999", "flaky-tests/?window=x",
    ],
)  # fmt: skip
def test_bad_query_values_are_400(api_as, project, query):
    """NUL bytes reached PostgreSQL (500 there), and str.isdigit() let "²" reach int() (500 everywhere)."""
    response = api_as("viewer").get(f"/api/v1/projects/{project.slug}/{query}")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("base", ["%C2%B2", "x", "-1", "0", "1.5", "%00"])
def test_compare_with_a_bad_base_is_400(upload, api_as, project, base):
    run = run_of(upload(REPORT, name="unit"))
    response = api_as("viewer").get(f"{URL.format(slug=project.slug)}{run.number}/compare/?base={base}")
    assert response.status_code == 400, response.content
    assert "base" in response.json()["errors"]


def test_compare_has_one_shape_with_or_without_a_base(upload, api_as, project):
    api = api_as("viewer")
    first = run_of(upload(REPORT, name="unit", branch="main"))
    second = run_of(upload(junit("a:failed", "b:passed"), name="unit", branch="main"))
    alone = api.get(f"{URL.format(slug=project.slug)}{first.number}/compare/").json()
    against = api.get(f"{URL.format(slug=project.slug)}{second.number}/compare/").json()
    assert alone["base"] is None and set(alone) == set(against)
    assert (against["base"], against["new_failures_count"], against["fixed_count"]) == (first.number, 1, 1)
    missing = api.get(f"{URL.format(slug=project.slug)}{second.number}/compare/?base=999999999999")
    assert missing.status_code == 404


def test_trends_answer_points(upload, api_as, project):
    run_of(upload(REPORT, name="unit", branch="main"))
    body = api_as("viewer").get(f"{URL.format(slug=project.slug)}trends/?branch=main&name=unit").json()
    assert list(body) == ["points"] and body["points"][0]["pass_rate"] == 50.0
    assert api_as("viewer").get(f"{URL.format(slug=project.slug)}trends/?branch=other").json() == {"points": []}


@pytest.mark.parametrize("path", ["", "{run}/reports/"])
def test_raw_body_filename_with_a_nul_byte_is_400(upload, api_as, project, media, path):
    """?filename= went into the upload's row as it came: PostgreSQL refuses NUL bytes (a 500 there)."""
    api = api_as("member")
    run = run_of(upload(None, open="true"))
    url = URL.format(slug=project.slug) + path.format(run=run.number) + "?filename=a%00b.xml"
    response = api.post(url, data=REPORT, content_type="application/xml")
    assert response.status_code == 400, response.content
    assert "filename" in response.json()["errors"]
    assert ReportUpload.objects.count() == 0
