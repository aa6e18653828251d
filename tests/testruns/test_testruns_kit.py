"""Test runs and tests on core's kit: the kit's test suite on both models (runs are created by
uploading a report, so the API create is an upload answered 202)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.testruns import services
from apps.testruns.models import TestCase, TestRun
from apps.testruns.pipeline import test_report_ingest as ingest_now
from tests.kit import KitTests
from tests.testruns.testruns_support import junit

pytestmark = pytest.mark.django_db


def _run(project, users, number):
    """A complete run (ingested now: inside a test's transaction the upload's commit hook never fires)."""
    report = junit(f"pkg.C.t{number}:passed", "pkg.C.shared:failed:boom", f"pkg.D.u{number}:skipped")
    run, _ = services.test_run_create(project=project, actor=users["owner"], report=SimpleUploadedFile(
        "junit.xml", report), name="unit", branch="main")  # fmt: skip
    ingest_now(run_id=run.pk)
    return run


@pytest.fixture(autouse=True)
def _media(media):
    """Uploads land in a temporary MEDIA_ROOT."""


class TestRunKit(KitTests):
    model = TestRun
    api_format = "multipart"
    api_create_status = 202
    queries = {"list": 6, "detail": 11, "api-list": 4, "api-detail": 3}

    @property
    def api_create_data(self):
        return {"report": SimpleUploadedFile("junit.xml", junit("a:passed")), "name": "unit"}

    def make(self, project, users, number):
        return _run(project, users, number)


class TestCaseKit(KitTests):
    model = TestCase
    queries = {"list": 6, "detail": 8, "api-list": 4, "api-detail": 3}

    def make(self, project, users, number):
        _run(project, users, number)
        return TestCase.objects.get(project=project, name="shared")  # failing: its page shows the failure
