"""Work can't get stuck and an upload is never half-accepted: the database row is the record of the work.

The broker may refuse a message, Redis may lose it, a worker may die mid-ingestion: the run stays
``queued``/``processing`` in the database and the sweeper hands it out again (a queued run after
TESTRUNS_RESEND_SECONDS; a processing run whose worker is gone after TESTRUNS_DEAD_WORKER_SECONDS on
PostgreSQL, where a live worker holds its row, else after the lease), each run ingested exactly once,
and a run that keeps killing its worker fails after TESTRUNS_MAX_ATTEMPTS.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from urllib.parse import quote

import kombu.exceptions
import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from apps.core.models import ObjectChange
from apps.testruns import pipeline, services, tasks
from apps.testruns.models import TestResult, TestRun
from tests.kit import wait_for
from tests.testruns.testruns_support import URL, junit, run_of

REPORT = junit("a:passed", "b:failed", "c:skipped")


class WorkerDied(BaseException):
    """What a worker killed mid-ingestion looks like from inside: nothing after it runs."""


def _lost(*args, **kwargs):
    """A message sent but never delivered (Redis restarted empty, worker killed with it)."""


def _broker_down(*args, **kwargs):
    raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _age(run, *fields: str):
    """Time travel: move the run's timestamps one lease (plus a second) into the past."""
    past = timezone.now() - pipeline.lease() - timedelta(seconds=1)
    TestRun.objects.filter(pk=run.pk).update(**dict.fromkeys(fields, past))
    run.refresh_from_db()
    return run


def _sweep() -> int:
    return tasks.test_runs_sweep_task.delay().get()


pytestmark = pytest.mark.django_db


def test_broker_down_the_upload_is_accepted_and_the_sweeper_sends_it(upload, monkeypatch, caplog):
    monkeypatch.setattr(tasks.test_report_ingest_task, "delay", _broker_down)
    response = upload(REPORT, name="unit")
    assert response.status_code == 202
    run = run_of(response)
    assert run.status == "queued" and run.queued_at is None  # due for the very next sweep
    assert run.uploads.get().size == len(REPORT)
    assert ObjectChange.objects.filter(object_id=str(run.pk), verb="uploaded").exists()
    assert "stays queued for the sweeper" in caplog.text
    assert _sweep() == 1  # the broker is still down: sent in vain, due again at the next sweep
    assert TestRun.objects.get(pk=run.pk).queued_at is None
    monkeypatch.undo()
    assert _sweep() == 1
    run.refresh_from_db()
    assert (run.status, run.tests, run.failed, run.attempts) == ("complete", 3, 1, 1)
    assert not ObjectChange.objects.filter(object_id=str(run.pk), verb="re-queued").exists()  # stayed queued


def test_a_lost_message_is_sent_again_only_after_the_resend_delay(upload, monkeypatch):
    monkeypatch.setattr(tasks.test_report_ingest_task, "delay", _lost)
    run = run_of(upload(REPORT))
    assert run.status == "queued" and run.queued_at is not None
    monkeypatch.undo()
    assert _sweep() == 0  # a fresh message may still be on its way
    _age(run, "queued_at")
    assert _sweep() == 1
    run.refresh_from_db()
    assert run.status == "complete" and run.tests == 3
    assert _sweep() == 0  # finished runs are never swept


def test_a_worker_killed_mid_ingestion_leaves_nothing_half_done_and_the_run_completes_later(upload, monkeypatch):
    def die(run):
        TestResult.objects.create(run=run, test_case_id=1, status="passed")  # part of the load, rolled back
        raise WorkerDied

    monkeypatch.setattr(pipeline, "_load", die)
    with pytest.raises(WorkerDied):
        upload(REPORT)
    run = TestRun.objects.get()
    assert (run.status, run.attempts) == ("processing", 1)  # the claim was committed before the work
    assert not TestResult.objects.exists()
    monkeypatch.undo()
    assert tasks.test_report_ingest_task.delay(run.pk).get() == "processing"  # a redelivery: still held
    assert _sweep() == 0
    _age(run, "started_at")
    assert _sweep() == 1
    run.refresh_from_db()
    assert (run.status, run.tests, run.attempts) == ("complete", 3, 2)
    assert TestResult.objects.filter(run=run).count() == 3
    assert ObjectChange.objects.filter(object_id=str(run.pk), verb="re-queued", via="task").count() == 1
    assert tasks.test_report_ingest_task.delay(run.pk).get() == "complete"  # idempotent
    assert TestResult.objects.filter(run=run).count() == 3 and TestRun.objects.get().attempts == 2


def test_a_report_that_keeps_killing_its_worker_fails_after_the_attempts_limit(upload, monkeypatch, settings):
    settings.TESTRUNS_MAX_ATTEMPTS = 2

    def die(run):
        raise WorkerDied

    monkeypatch.setattr(pipeline, "_load", die)
    with pytest.raises(WorkerDied):
        upload(REPORT)
    run = TestRun.objects.get()
    assert (run.status, run.attempts) == ("processing", 1)
    _age(run, "started_at")
    with pytest.raises(WorkerDied):
        _sweep()  # handed out again: the second attempt kills its worker too
    run = _age(run, "started_at")
    assert (run.status, run.attempts) == ("processing", 2)
    assert _sweep() == 0  # the sweeper gives up instead of sending it a third time
    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("Given up after 2 attempts")
    assert "re-processed" in run.error and run.uploads.get().status == "failed"
    # A redelivery (e.g. Redis's own, hours later) changes nothing either.
    assert tasks.test_report_ingest_task.delay(run.pk).get() == "failed"


def test_database_trouble_hands_the_run_back_for_the_tasks_retry(upload, monkeypatch):
    monkeypatch.setattr(tasks.test_report_ingest_task, "delay", _lost)
    run = run_of(upload(REPORT))
    load = pipeline._load

    def database_gone(run):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pipeline, "_load", database_gone)
    with pytest.raises(OperationalError):  # the task's autoretry_for sends it again with backoff
        pipeline.test_report_ingest(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("queued", 1)  # not held by a worker that gave it up
    monkeypatch.setattr(pipeline, "_load", load)
    assert pipeline.test_report_ingest(run_id=run.pk) == "complete"  # the retry takes it
    assert TestRun.objects.get(pk=run.pk).attempts == 2


def test_a_redelivered_message_past_the_attempts_limit_fails_the_run(upload, monkeypatch, settings):
    monkeypatch.setattr(tasks.test_report_ingest_task, "delay", _lost)
    run = run_of(upload(REPORT))
    TestRun.objects.filter(pk=run.pk).update(attempts=settings.TESTRUNS_MAX_ATTEMPTS)
    monkeypatch.undo()
    assert tasks.test_report_ingest_task.delay(run.pk).get() == "failed"
    assert TestRun.objects.get().error.startswith(f"Given up after {settings.TESTRUNS_MAX_ATTEMPTS} attempts")


def test_a_stuck_run_can_be_reprocessed(upload, api_as, project, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.test_report_ingest_task, "delay", _lost)
    run = run_of(upload(REPORT))
    TestRun.objects.filter(pk=run.pk).update(status="processing", started_at=timezone.now(), attempts=3)
    monkeypatch.undo()
    api = api_as("member")
    url = f"{URL.format(slug=project.slug)}{run.number}/reprocess/"
    refused = api.post(url)
    assert refused.status_code == 409 and "stuck queued or processing for longer than 35 minutes" in str(
        refused.json()
    )
    _age(run, "started_at")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url).status_code == 202
    run.refresh_from_db()
    assert (run.status, run.tests, run.attempts) == ("complete", 3, 1)  # a fresh attempt count


def test_the_beat_schedule_runs_the_sweeper_every_minute():
    from config.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("test_runs_sweep_task"))
    assert entry["task"] in app.tasks and entry["schedule"] <= 60


@pytest.mark.django_db(transaction=True)
def test_a_run_locked_by_a_live_ingestion_is_neither_taken_nor_swept(upload, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) need PostgreSQL; SQLite serialises writers instead")
    monkeypatch.setattr(tasks.test_report_ingest_task, "delay", _lost)
    run = run_of(upload(REPORT))
    TestRun.objects.filter(pk=run.pk).update(status="processing", attempts=1)
    _age(run, "started_at")  # past the lease, but its worker is alive and holds the row
    locked, release = threading.Event(), threading.Event()

    def live_worker():
        try:
            with transaction.atomic():
                TestRun.objects.select_for_update().get(pk=run.pk)
                locked.set()
                release.wait(30)
        finally:
            connections["default"].close()

    worker = threading.Thread(target=live_worker)
    worker.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert pipeline.test_report_ingest(run_id=run.pk) == "processing"  # at once, without waiting
        assert pipeline.test_runs_sweep() == []
        assert time.monotonic() - started < 5
        assert TestRun.objects.get(pk=run.pk).attempts == 1
    finally:
        release.set()
        worker.join()
    assert pipeline.test_runs_sweep() == [run.pk]  # the worker is gone: handed out again


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_dead_workers_run_is_handed_out_within_minutes_not_a_lease(upload, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks tell a live worker from a dead one on PostgreSQL only")
    run = run_of(upload(REPORT))
    claimed = timezone.now() - timedelta(seconds=settings.TESTRUNS_DEAD_WORKER_SECONDS + 1)
    TestRun.objects.filter(pk=run.pk).update(status="processing", attempts=1, started_at=claimed)
    assert settings.TESTRUNS_DEAD_WORKER_SECONDS <= 300 < settings.TESTRUNS_LEASE_SECONDS
    assert pipeline.test_runs_sweep() == [run.pk]  # nobody holds its row: its worker is gone


# ---- a real worker, killed with SIGKILL mid-ingestion -----------------------------------------------


def _worker(env: dict, name: str, logs) -> subprocess.Popen:
    """A real worker (prefork: a main process and a pool child) in its own process group."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
               "--without-mingle", "--without-gossip", "--loglevel", "INFO", "--hostname", f"{name}@%h"]  # fmt: skip
    with open(logs / f"{name}.log", "wb") as log:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, start_new_session=True, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip


def _kill_tree(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    """The worker and its pool children, all at once (kill -9 of the process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_sigkill_mid_ingestion_is_recovered_by_the_sweeper(project, users, media, tmp_path,
                                                                                 settings):  # fmt: skip
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES is set but REDIS_URL/PostgreSQL are not: the real-worker test can't run.")
        pytest.skip("needs REDIS_URL (a Redis broker) and PostgreSQL shared with a worker process")
    from config.celery import app

    report = tmp_path / "big.xml"
    subprocess.run([sys.executable, "scripts/gen_junit_report.py", "--cases", "300000", "--out", str(report)],
                   cwd=settings.BASE_DIR, check=True)  # fmt: skip
    db = connection.settings_dict
    login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    app.conf.task_always_eager = False  # the autouse fixture restores it afterwards
    app.control.purge()
    first = _worker(env, "doomed", tmp_path)
    second = None
    try:
        with report.open("rb") as handle:
            run, _ = services.test_run_create(project=project, actor=users["member"], report=handle,
                                              filename="big.xml", name="big")  # fmt: skip
        assert wait_for(lambda: TestRun.objects.get(pk=run.pk).status == "processing", 120), "no worker took the run"
        time.sleep(2)  # well into parsing and loading
        _kill_tree(first)
        run.refresh_from_db()
        assert run.status == "processing" and run.attempts == 1 and not TestResult.objects.filter(run=run).exists()

        second = _worker(env, "fresh", tmp_path)
        # The sweeper runs here. The lease stays 35 min: the dead worker is told by its released row
        # lock, after TESTRUNS_DEAD_WORKER_SECONDS (2 min by default, 1 s to keep the test short).
        settings.TESTRUNS_DEAD_WORKER_SECONDS = 1
        time.sleep(1.5)
        # Once PostgreSQL has dropped the dead worker's session (and its row lock), the sweep sends it again.
        assert wait_for(lambda: tasks.test_runs_sweep_task.apply().get() == 1, 60), "the sweeper never took it"
        assert wait_for(lambda: TestRun.objects.get(pk=run.pk).status in ("complete", "failed"), 180)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                _kill_tree(process, signal.SIGTERM)
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == ("complete", "", 2)
    assert run.tests == 300_000 == TestResult.objects.filter(run=run).count()
    assert run.passed + run.failed + run.errors + run.skipped == run.tests
    assert TestRun.objects.filter(project=project).count() == 1
