"""The loader's paths give the same stored history: streaming COPY with new tests arriving mid-stream
(ids reserved from the sequence in small blocks), batch mode (projects past the identity map limit),
records parsed while the identity map query is still running, and a failure while it runs."""

import contextlib
import hashlib
from pathlib import Path

import pytest
from django.db import connection

from apps.testruns import ingest
from apps.testruns.models import TestCase, TestResult, identity_hash
from apps.testruns.reports import ReportError, ReportLimits, parse_report
from apps.testruns.rows import copy_formatter, fold_retries, plain_copy_tail, records
from tests.testruns.testruns_support import junit, run_of

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY paths need PostgreSQL")

FIRST = junit(*[f"t{i}:{'failed' if i % 7 == 0 else 'passed'}" for i in range(30)])
# Known tests interleaved with new ones, some statuses changed, one test gone (t29).
SECOND = junit(*[f"t{i}:{'passed' if i % 7 == 0 else 'failed' if i % 5 == 0 else 'passed'}" for i in range(29)],
               *[f"n{i}:{'failed' if i % 4 == 0 else 'passed'}" for i in range(15)])


@pytest.fixture
def junit_fixture_paths():
    return sorted((Path(__file__).resolve().parent.parent / "fixtures").rglob("*.xml"))


def _interleaved() -> bytes:
    names = [f"t{i}:passed" for i in range(29)]
    for index in range(15):
        names.insert(index * 3, f"n{index}:{'failed' if index % 4 == 0 else 'passed'}")
    return junit(*names)


def _stored(run) -> list[tuple]:
    return sorted(
        TestResult.objects.filter(run=run).values_list("test_case__name", "status", "test_case__last_status")
    )


def _check_history(first, second) -> None:
    cases = {case.name: case for case in TestCase.objects.all()}
    assert len(cases) == 30 + 15
    for case in cases.values():
        assert case.identity == identity_hash(case.suite, case.classname, case.name)
    assert TestResult.objects.filter(run=first).count() == 30
    assert TestResult.objects.filter(run=second).count() == 44
    assert cases["t0"].last_status == "passed" and cases["t0"].first_failed_run_id is None
    assert cases["t5"].last_status == "failed" and cases["t5"].first_failed_run_id == second.pk
    assert cases["t14"].last_status == "passed"  # failed in the first run, passes now
    assert cases["t28"].last_status == "passed" and cases["t28"].first_failed_run_id is None  # failed, then fixed
    assert cases["t29"].last_status == "passed" and cases["t29"].results.count() == 1  # not in the second run
    assert cases["n0"].last_status == "failed" and cases["n0"].first_failed_run_id == second.pk
    assert cases["n1"].last_status == "passed" and cases["n1"].first_failed_run_id is None
    for name, status, last_status in _stored(second):
        assert status == last_status, name
    assert (second.tests, second.passed, second.failed) == (44, 44 - 5 - 4, 5 + 4)


@postgres_only
def test_streaming_with_new_tests_mid_stream_and_small_id_blocks(upload, monkeypatch):
    monkeypatch.setattr(ingest, "RESERVE_FIRST", 2)
    monkeypatch.setattr(ingest, "RESERVE_FIRST_EMPTY", 4)
    monkeypatch.setattr(ingest, "RESERVE_MAX", 8)
    first = run_of(upload(FIRST, branch="main"))
    second = run_of(upload(SECOND, branch="main"))
    _check_history(first, second)
    third = run_of(upload(_interleaved(), branch="main"))
    assert third.status == "complete" and TestCase.objects.count() == 45
    assert TestResult.objects.filter(run=third).count() == 44


@postgres_only
def test_batch_mode_for_projects_past_the_identity_map_limit(upload, monkeypatch):
    first = run_of(upload(FIRST, branch="main"))  # an empty project streams
    monkeypatch.setattr(ingest, "KNOWN_MAP_LIMIT", 10)
    monkeypatch.setattr(ingest, "BATCH", 7)
    second = run_of(upload(SECOND, branch="main"))
    _check_history(first, second)


def test_batch_mode_on_other_databases_or_streaming_on_postgres(upload):
    first = run_of(upload(FIRST, branch="main"))
    second = run_of(upload(SECOND, branch="main"))
    _check_history(first, second)


@postgres_only
def test_records_wait_while_the_identity_map_loads(upload, monkeypatch):
    monkeypatch.setattr(ingest._SentQuery, "ready", lambda self: False)  # the map arrives only at flush
    first = run_of(upload(FIRST, branch="main"))
    second = run_of(upload(SECOND, branch="main"))
    _check_history(first, second)


@postgres_only
def test_a_bad_report_while_the_identity_map_query_runs(upload, monkeypatch):
    monkeypatch.setattr(ingest._SentQuery, "ready", lambda self: False)
    good = run_of(upload(FIRST))
    many = junit(*[f"t{i}:passed" for i in range(3000)])
    broken = run_of(upload(many[: len(many) // 2]))
    assert broken.status == "failed" and "Malformed XML" in broken.error
    assert not TestResult.objects.filter(run=broken).exists() and TestCase.objects.count() == 30
    assert run_of(upload(FIRST)).status == "complete"  # the connection is fine afterwards
    assert good.status == "complete"


@postgres_only
def test_identity_uses_the_c_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'testruns_testcase' AND column_name = 'identity'"
        )
        assert cursor.fetchone()[0] == "C"


def test_identity_of_a_record_key_is_the_model_identity():
    assert ingest.identity_of("s\x1fpkg.C\x1ftest_x") == identity_hash("s", "pkg.C", "test_x")
    assert ingest.identity_of("s\x1fpkg.C\x1ftest_x") == hashlib.sha1(b"s\x1fpkg.C\x1ftest_x").hexdigest()


def test_plain_copy_tail_is_what_psycopg_writes(junit_fixture_paths):
    """The one-operation COPY text of plain passes equals psycopg's formatter, on every corpus file."""
    format_row = copy_formatter()
    plain = 0
    for path in junit_fixture_paths:
        with path.open("rb") as handle, contextlib.suppress(ReportError):  # the corpus has broken files too
            for _, _, values, tail in records(fold_retries(parse_report(handle, limits=ReportLimits()))):
                expected = bytearray()
                format_row(values, expected)
                if tail is not None:
                    plain += 1
                    assert tail == bytes(expected), path
    assert plain > 1000


@pytest.mark.parametrize("file", ["C:\\src\\test.py", "a\tb.py", "multi\nline.py"])
def test_plain_copy_tail_leaves_escapes_to_psycopg(file):
    values = ("passed", 0.5, "", "", "", "", "", "", "{}", file, 3, False, 0)
    assert plain_copy_tail(values) is None
    assert plain_copy_tail(("passed", 0.5, "", "", "", "", "", "", "{}", "t.py", None, False, 0)) is not None
