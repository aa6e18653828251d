"""Ingestion end to end: bad input fails the run cleanly, counting rules, retries, re-processing."""

import gzip
import os

import pytest

from apps.testruns import history, pipeline, services
from apps.testruns.models import ReportUpload, TestCase, TestResult, TestRun
from apps.testruns.rows import message_signature
from tests.testruns.testruns_support import junit, run_of

pytestmark = pytest.mark.django_db

GOOD = junit("a:passed", "b:failed", "c:passed")
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE testsuites [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<testsuites><testsuite name="s"><testcase classname="c" name="&d;"/></testsuite></testsuites>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE testsuites [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuites><testsuite name="s"><testcase classname="c" name="&xxe;"/></testsuite></testsuites>"""
MANY = junit(*[f"t{i}:passed" for i in range(300)])


def _gzip_bomb() -> bytes:
    head = b'<testsuites><testsuite name="s"><testcase classname="c" name="t"><system-out>'
    return gzip.compress(
        head + b" " * (3 * 1024 * 1024) + b"</system-out></testcase></testsuite></testsuites>"
    )


BAD_INPUTS = {
    "malformed": (b"<testsuites><testsuite><testcase name='a'></testsuite>", "Malformed XML"),
    # Cut mid-way after 300 good cases: none of them may be stored.
    "truncated": (MANY[: len(MANY) // 2], "Malformed XML"),
    "entity-bomb": (BOMB, "ENTITY"),
    "xxe": (XXE, "ENTITY"),
    "not-a-report": (b"<html><body>Build failed</body></html>", "Not a test report"),
    "not-xml": (b"PASS all tests\n", "Malformed XML"),
    "empty": (b"", "empty"),
    "wrong-encoding": (
        '<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="s">'
        '<testcase classname="c" name="caf\u00e9"/></testsuite></testsuites>'.encode("latin-1"),
        "encoding",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_fails_the_run_cleanly(upload, kind):
    content, reason = BAD_INPUTS[kind]
    response = upload(content, name="unit")
    assert response.status_code == 202
    run = run_of(response)
    assert run.status == TestRun.State.FAILED
    assert reason.lower() in run.error.lower(), run.error
    assert (run.tests, run.passed, run.failed) == (0, 0, 0)
    assert not TestResult.objects.exists() and not TestCase.objects.exists()
    stored = run.uploads.get()
    assert stored.status == ReportUpload.State.FAILED and stored.error == run.error
    assert os.path.exists(stored.file.path) and stored.size == len(content)
    # The worker is unharmed: the next upload goes through.
    assert run_of(upload(GOOD)).status == TestRun.State.COMPLETE


def test_gzip_bomb_is_stopped_at_the_limit(upload, settings):
    settings.TESTRUNS_MAX_REPORT_BYTES = 1024 * 1024
    bomb = _gzip_bomb()
    run = run_of(upload(bomb, filename="r.xml.gz"))
    assert run.status == "failed" and "exceeds the 1 MB limit" in run.error
    assert not TestResult.objects.exists()
    assert run.uploads.get().size == len(bomb)


def test_over_the_size_limit(upload, settings):
    settings.TESTRUNS_MAX_REPORT_BYTES = 2000
    run = run_of(upload(MANY, raw=True))
    assert run.status == "failed" and "exceeds" in run.error and "limit" in run.error
    stored = run.uploads.get()
    assert stored.truncated and stored.size == 2000 and os.path.exists(stored.file.path)
    assert not TestResult.objects.exists()


def test_counting_rules_and_retries(upload):
    report = b"""<testsuites><testsuite name="s">
      <testcase classname="C" name="once_failed_then_passed"><failure message="x"/></testcase>
      <testcase classname="C" name="once_failed_then_passed"/>
      <testcase classname="C" name="always_fails"><failure message="x"/></testcase>
      <testcase classname="C" name="always_fails"><failure message="y"/></testcase>
      <testcase classname="C" name="surefire"><rerunFailure message="x"/></testcase>
      <testcase classname="C" name="surefire_flaky"><flakyFailure message="x"/></testcase>
      <testcase classname="C" name="errored"><error message="e"/></testcase>
      <testcase classname="C" name="disabled" status="disabled"/>
      <testcase classname="C" name="skipped"><skipped/></testcase>
    </testsuite></testsuites>"""
    run = run_of(upload(report))
    assert (run.tests, run.passed, run.failed, run.errors, run.skipped) == (7, 2, 2, 1, 2)
    flaky = set(
        TestResult.objects.filter(run=run, flaky_in_run=True).values_list("test_case__name", flat=True)
    )
    assert "once_failed_then_passed" in flaky and "surefire_flaky" in flaky
    retried = TestResult.objects.get(run=run, test_case__name="always_fails")
    assert retried.status == "failed" and retried.retries == 1
    assert run.flaky == len(flaky)


def test_identity_is_stable_across_runs(upload):
    first = run_of(upload(GOOD, branch="main"))
    second = run_of(upload(junit("a:failed", "b:passed", "d:passed"), branch="main"))
    assert TestCase.objects.count() == 4
    a = TestCase.objects.with_latest().get(name="a")
    assert list(a.results.order_by("run_id").values_list("status", flat=True)) == ["passed", "failed"]
    assert a.last_status == "failed" and a.last_run_id == second.pk
    assert a.first_failed_run_id == second.pk and a.last_passed_run_id == first.pk
    b = TestCase.objects.with_latest().get(name="b")
    assert b.last_status == "passed" and b.first_failed_run_id is None and b.last_passed_run_id == second.pk
    third = run_of(upload(junit("a:failed"), branch="main"))
    a = TestCase.objects.with_latest().get(name="a")
    assert a.first_failed_run_id == second.pk and a.last_run_id == third.pk


def test_task_is_idempotent(upload):
    run = run_of(upload(GOOD))
    assert services.test_report_ingest(run_id=run.pk) == "complete"
    assert TestResult.objects.filter(run=run).count() == 3


def test_failed_run_can_be_reprocessed(upload, api_as, project, django_capture_on_commit_callbacks):
    run = run_of(upload(b"<testsuites><oops"))
    assert run.status == "failed"
    stored = run.uploads.get()
    with open(stored.file.path, "wb") as handle:  # e.g. a parser fix landed since
        handle.write(GOOD)
    api = api_as("member")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/projects/{project.slug}/test-runs/{run.number}/reprocess/")
    assert response.status_code == 202
    run.refresh_from_db()
    assert run.status == "complete" and run.tests == 3 and run.error == ""
    assert api.post(f"/api/v1/projects/{project.slug}/test-runs/{run.number}/reprocess/").status_code == 409
    assert (
        api_as("viewer").post(f"/api/v1/projects/{project.slug}/test-runs/{run.number}/reprocess/").status_code
        == 403
    )


def test_unexpected_error_keeps_worker_and_upload(upload, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "history_apply_run", explode)
    run = run_of(upload(GOOD))
    assert run.status == "failed" and "Internal error" in run.error and "re-processed" in run.error
    assert not TestResult.objects.exists() and run.uploads.get().file


def test_purge_keeps_rows_drops_files(upload):
    run = run_of(upload(GOOD))
    path = run.uploads.get().file.path
    assert pipeline.report_uploads_purge(older_than_days=-1) == 1
    stored = run.uploads.get()
    assert stored.status == "purged" and not stored.file and not os.path.exists(path)


@pytest.mark.parametrize(
    ("message", "signature"),
    [
        ("assert 3 == 4", "assert <n> == <n>"),
        ("Timeout after 1500ms at /home/ci/app/x.py", "Timeout after <n>ms at <path>"),
        ("KeyError: 'customer-42'", "KeyError: '…'"),
        ("object at 0x7f3a2b1c not ready", "object at <hex> not ready"),
        ("", ""),
    ],
)
def test_message_signature(message, signature):
    assert message_signature(message) == signature


def test_flaky_detection(upload, settings):
    settings.TESTRUNS_FLAKY_WINDOW = 5
    for statuses in [("passed", "passed"), ("failed", "passed"), ("passed", "passed"), ("failed", "failed")]:
        run_of(upload(junit(f"flip:{statuses[0]}", f"steady:{statuses[1]}"), branch="main", name="unit"))
    flip, steady = TestCase.objects.get(name="flip"), TestCase.objects.get(name="steady")
    assert flip.flaky and flip.flips == 3 and flip.flaky_score > 0
    assert not steady.flaky and steady.flips == 1  # broke once: a regression, not flakiness
    # Another branch doesn't see main's history.
    stats = history.flaky_stats(project_id=flip.project_id, branch="dev", name="unit")
    assert stats == {}
    # Older than the window: five passing runs later, the flag goes away.
    for _ in range(5):
        run_of(upload(junit("flip:passed", "steady:passed"), branch="main", name="unit"))
    flip.refresh_from_db()
    assert not flip.flaky and flip.flips == 0


def test_pass_after_retry_is_flaky(upload):
    run_of(upload(junit("r:failed", "r:passed"), branch="main"))
    case = TestCase.objects.get(name="r")
    assert case.flaky and case.last_status == "passed"


def test_repeated_properties_outputs_and_retries_cost_linear_time():
    """A case repeating one property 400 000 times and <system-out> 200 000 times, and 100 000 retries
    each adding a property, are read in linear time (appending to a growing value, copying the list
    of outputs per element, and copying the growing merged dict were quadratic)."""
    import io
    import time

    from apps.testruns.reports import ReportLimits, parse_report
    from apps.testruns.reports.base import MAX_PROPERTIES
    from apps.testruns.rows import fold_retries

    repeated = "".join(f'<property name="tag" value="v{i}"/>' for i in range(400_000))
    outputs = "<system-out>o</system-out>" * 200_000
    retries = "".join(
        f'<testcase classname="c" name="retried"><properties><property name="p{i}" value="x"/></properties>'
        '<failure message="again"/></testcase>'
        for i in range(100_000)
    )
    report = (
        '<testsuites><testsuite name="s"><testcase classname="c" name="tagged"><properties>'
        f"{repeated}</properties>{outputs}</testcase>{retries}</testsuite></testsuites>"
    ).encode()
    limits = ReportLimits(max_output_bytes=1024)
    started = time.monotonic()
    tagged, retried = fold_retries(parse_report(io.BytesIO(report), limits=limits))
    assert time.monotonic() - started < 10  # a guard against hangs: about a second
    assert tagged.properties["tag"].startswith("v0, v1, v2") and len(tagged.properties["tag"]) <= 1100
    assert tagged.system_out.startswith("o\no\no") and len(tagged.system_out) <= 1100
    assert retried.retries == 99_999 and len(retried.properties) == MAX_PROPERTIES
