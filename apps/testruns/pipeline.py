"""The worker side of test runs: what the tasks call (ingestion, the sweeper, the purge of old uploads).

``services`` is the request side (create, upload, complete, re-process, delete): it enqueues the
tasks of ``tasks``, which call this module. Nothing here imports ``services`` or ``tasks``, so the
three never form an import circle: services -> tasks -> pipeline.

Ingestion parses the run's stored reports and loads its results in ONE transaction: any report
problem rolls everything back and leaves the run ``failed`` with the reason, uploads kept for
re-processing. It is idempotent: a delivery first claims the run, so however many times its task is
delivered (redelivered by Redis, sent again by the sweeper) a run is ingested once, and never lost:
the sweeper hands back the runs whose message or worker went missing.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.changelog import log_change
from apps.core.models import ObjectChange

from .history import history_apply_run
from .ingest import ResultLoader
from .models import ReportUpload, TestRun
from .reports import ReportError, ReportLimits, open_report_stream, parse_report
from .rows import fold_retries, records

logger = logging.getLogger(__name__)

RECORD_BATCH = 500  # records per write to the open COPY (and per progress update); bounds memory too


def max_report_bytes() -> int:
    return int(getattr(settings, "TESTRUNS_MAX_REPORT_BYTES", 100 * 1024 * 1024))


def report_limits() -> ReportLimits:
    return ReportLimits(max_bytes=max_report_bytes())


def progress_key(run_id: int) -> str:
    return f"testrun:{run_id}:progress"


class _Progress:
    """Bytes-read progress in the cache (outside the run's transaction, so pages can poll it)."""

    def __init__(self, run_id: int, total: int):
        self.key, self.total, self.read, self.last = progress_key(run_id), max(total, 1), 0, -1

    def advance(self, count: int) -> None:
        self.read += count

    def publish(self) -> None:
        percent = min(99, int(100 * self.read / self.total))
        if percent != self.last:
            self.last = percent
            cache.set(self.key, percent, 3600)


class _Counting:
    """Read-through wrapper that reports raw bytes read to a ``_Progress``.

    Seekable like the stored file, so a report with a slip the engine repairs can be read again from
    its start (reports.parse_report); progress then counts the second reading from where it began.
    """

    def __init__(self, raw, progress: _Progress):
        self.raw, self.progress = raw, progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.progress.advance(len(data))
        return data

    def seekable(self) -> bool:
        return self.raw.seekable()

    def tell(self) -> int:
        return self.raw.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        before = self.raw.tell()
        position = self.raw.seek(offset, whence)
        self.progress.advance(position - before)
        return position


def _check_stored(uploads: list[ReportUpload]) -> None:
    for upload in uploads:
        if upload.truncated:
            raise ReportError(
                f"{upload.filename}: the file exceeds the {max_report_bytes() // (1024 * 1024)} MB limit "
                "(TESTRUNS_MAX_REPORT_BYTES); it was stored cut short and not processed."
            )


def _cases(uploads: list[ReportUpload], progress: _Progress, warnings: list[str]):
    """The uploads' cases; what the engine repaired in them is appended to ``warnings``."""
    limits = report_limits()
    many = len(uploads) > 1
    for upload in uploads:
        try:
            raw = upload.file.open("rb")
        except (OSError, ValueError) as exc:
            raise ReportError(f"{upload.filename}: the stored upload can't be read ({exc}).") from exc
        count = 0
        repaired: list[str] = []
        try:
            stream = open_report_stream(
                _Counting(raw, progress), gzip=True if upload.gzip else None, limits=limits
            )
            for case in parse_report(stream, limits=limits, warnings=repaired):
                count += 1
                yield case
            warnings.extend(f"{upload.filename}: {text}" if many else text for text in repaired)
        except ReportError as exc:
            raise ReportError(f"{upload.filename}: {exc}" if many else str(exc)) from None
        finally:
            raw.close()
        upload.cases = count


def _record_batches(uploads: list[ReportUpload], progress: _Progress, warnings: list[str]):
    """The uploads' final cases as the streaming loader's records (``rows``), in batches."""
    source = records(fold_retries(_cases(uploads, progress, warnings)))
    while batch := list(itertools.islice(source, RECORD_BATCH)):
        yield batch


def _load(run: TestRun) -> None:
    uploads = list(run.uploads.exclude(status=ReportUpload.State.PURGED).order_by("id"))
    if not uploads:
        raise ReportError("No report file is stored for this run (purged after its retention period?).")
    _check_stored(uploads)
    progress = _Progress(run.pk, sum(u.size for u in uploads))
    loader = ResultLoader(run=run)
    warnings: list[str] = []
    started = time.perf_counter()
    try:
        loader.start()
        with contextlib.closing(_record_batches(uploads, progress, warnings)) as batches:
            for batch in batches:
                loader.add_records(batch)
                progress.publish()
        loader.flush()
    except BaseException as exc:
        loader.abort(exc)  # a query or COPY left open would block the rollback
        raise
    loaded = time.perf_counter()
    history_apply_run(run=run, requirement_mentions=loader.requirements)
    logger.info(
        "test run %s: %s results in %.2f s: parse and load %.2f s (waiting for the database %.2f s), history %.2f s",
        run.pk, loader.totals["tests"], time.perf_counter() - started, loaded - started, loader.db_seconds,
        time.perf_counter() - loaded,
    )
    for key, value in loader.totals.items():
        setattr(run, key, value)
    run.duration, run.flaky = round(loader.duration, 6), loader.flaky
    run.status, run.error, run.progress = TestRun.State.COMPLETE, "", 100
    run.warnings = warnings
    run.completed_at = timezone.now()
    run.save()
    for upload in uploads:
        upload.status, upload.error = ReportUpload.State.PROCESSED, ""
    ReportUpload.objects.bulk_update(uploads, ["status", "error", "cases"])
    log_change(
        actor=None,
        instance=run,
        action=ObjectChange.Action.ACTION,
        verb="completed",
        message=f"{run.tests} tests, {run.failing} failing, {run.skipped} skipped",
    )


def _fail(run_id: int, error: str, *, attempt: int | None = None) -> None:
    """Mark the run failed with ``error`` (kept for the page). With ``attempt``, only if that attempt
    still holds the run: another delivery that took it over meanwhile is left alone."""
    with transaction.atomic():
        run = TestRun.objects.select_for_update().get(pk=run_id)
        if attempt is not None and (run.status != TestRun.State.PROCESSING or run.attempts != attempt):
            return
        run.status, run.error, run.progress, run.warnings = TestRun.State.FAILED, error[:5000], 0, []
        run.tests = run.passed = run.failed = run.errors = run.skipped = run.flaky = 0
        run.duration, run.completed_at = 0.0, timezone.now()
        run.save()
        run.uploads.exclude(status=ReportUpload.State.PURGED).update(
            status=ReportUpload.State.FAILED, error=error[:5000]
        )
        log_change(actor=None, instance=run, action=ObjectChange.Action.ACTION, verb="failed", message=error)


# ---- who processes a run: claims, the lease, the sweeper -----------------------------------------
#
# The run's row is the record of the work; a Celery message only wakes a worker up, and may be lost
# (broker down when sending, Redis restarted empty, worker killed with its unacknowledged message).
# A delivery claims the run in its own committed transaction (status ``processing``, ``attempts`` + 1,
# ``started_at``), then loads it holding the row lock, so two deliveries never both ingest and a worker
# that dies still counted its attempt. The sweeper hands back runs nobody finished within the lease.

FINISHED = (TestRun.State.COMPLETE, TestRun.State.FAILED)
SWEEP_BATCH = 500


def lease() -> timedelta:
    return timedelta(seconds=settings.TESTRUNS_LEASE_SECONDS)


def max_attempts() -> int:
    return settings.TESTRUNS_MAX_ATTEMPTS


def abandoned(now=None) -> Q:
    """Closed runs whose work was lost.

    * Queued, but never sent or sent more than TESTRUNS_RESEND_SECONDS ago: the message may have been
      lost (Redis restarted empty). Sending again is harmless: only one delivery claims the run.
    * Processing, and its worker gone. On PostgreSQL a live ingestion holds its run's row lock, and the
      sweeper skips locked rows, so a processing run it *can* lock has lost its worker: it is handed
      out once TESTRUNS_DEAD_WORKER_SECONDS have passed since the claim (the moment between the claim
      and the lock). Without row locks (SQLite), only the lease tells.
    """
    now = now or timezone.now()
    resend = now - timedelta(seconds=settings.TESTRUNS_RESEND_SECONDS)
    dead = now - (timedelta(seconds=settings.TESTRUNS_DEAD_WORKER_SECONDS) if connection.vendor == "postgresql"
                  else lease())  # fmt: skip
    queued = Q(status=TestRun.State.QUEUED) & (Q(queued_at__isnull=True) | Q(queued_at__lt=resend))
    taken = Q(status=TestRun.State.PROCESSING) & (Q(started_at__isnull=True) | Q(started_at__lt=dead))
    return Q(is_open=False) & (queued | taken)


def _status(run_id: int) -> str:
    return TestRun.objects.filter(pk=run_id).values_list("status", flat=True).first() or "missing"


def _give_up(run: TestRun) -> None:
    _fail(
        run.pk,
        f"Given up after {run.attempts} attempts: each time, the worker processing this run stopped before "
        "finishing (killed, out of memory, or the database was unavailable). The upload is kept and the "
        "run can be re-processed.",
    )


def _claim(run_id: int) -> int | str:
    """Take the run for this delivery: the attempt number, or the run's status if there is nothing to do
    (finished, still open, held by a live worker, or taken TESTRUNS_MAX_ATTEMPTS times already: then it
    fails, so a report that kills its worker is not delivered forever)."""
    with transaction.atomic():
        run = TestRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
        if run is None:  # missing, or its row is locked: another worker is ingesting it
            return _status(run_id)
        held = run.status == TestRun.State.PROCESSING and run.started_at and run.started_at >= timezone.now() - lease()
        if run.is_open or run.status in FINISHED or held:
            return run.status
        if run.attempts >= max_attempts():
            _give_up(run)
            return TestRun.State.FAILED
        run.status, run.attempts, run.started_at = TestRun.State.PROCESSING, run.attempts + 1, timezone.now()
        run.progress, run.error = 0, ""
        run.save(update_fields=["status", "attempts", "started_at", "progress", "error", "updated_at"])
        return run.attempts


def test_runs_sweep() -> list[int]:
    """Hand the abandoned runs (see ``abandoned``) back to the queue and return their ids, for the caller
    to send (``tasks.test_runs_sweep_task``); a run taken TESTRUNS_MAX_ATTEMPTS times fails instead.
    Idempotent: a run handed out twice is still ingested once (``_claim``)."""
    now = timezone.now()
    requeued = []
    with transaction.atomic():
        stale = TestRun.objects.filter(abandoned(now)).select_for_update(skip_locked=True).order_by("pk")
        for run in stale[:SWEEP_BATCH]:
            if run.attempts >= max_attempts():
                _give_up(run)
                continue
            if run.status == TestRun.State.PROCESSING:  # its worker is gone: a visible change, logged
                log_change(
                    actor=None, instance=run, action=ObjectChange.Action.ACTION, verb="re-queued",
                    message=f"Still processing after the lease ({settings.TESTRUNS_LEASE_SECONDS} s): its "
                    "worker stopped, so it is handed to the workers again.",
                )  # fmt: skip
            # A queued run only gets a new message (bookkeeping, not logged: a broker down for hours
            # would log one entry a minute).
            run.status, run.queued_at, run.progress = TestRun.State.QUEUED, now, 0
            run.save(update_fields=["status", "queued_at", "progress", "updated_at"])
            requeued.append(run.pk)
    return requeued


def test_run_enqueue_failed(*, run_id: int) -> None:
    """The broker refused the run's message: due for the next sweep (bookkeeping, not logged)."""
    TestRun.objects.filter(pk=run_id, status=TestRun.State.QUEUED).update(queued_at=None)


# ---- ingestion ----------------------------------------------------------------------------------


def test_report_ingest(*, run_id: int) -> str:
    """Parse the run's stored reports and load its results in ONE transaction; returns the final status.

    Any report problem rolls everything back (no partial results) and leaves the run ``failed``
    with the reason; uploads are kept for re-processing. Safe to deliver any number of times: only
    the delivery that claimed the run ingests it, once.
    """
    attempt = _claim(run_id)
    if isinstance(attempt, str):
        return attempt
    cache.set(progress_key(run_id), 0, 3600)
    try:
        _ingest(run_id, attempt)
    except ReportError as exc:
        _fail(run_id, str(exc), attempt=attempt)
    except OperationalError:
        _release(run_id, attempt)
        raise  # database trouble: the task retries with backoff
    except Exception as exc:  # keep the worker alive and the run explained
        logger.exception("Ingesting test run %s failed", run_id)
        _fail(
            run_id,
            f"Internal error while processing the report ({type(exc).__name__}); "
            "the upload is kept and the run can be re-processed.",
            attempt=attempt,
        )
    finally:
        cache.delete(progress_key(run_id))
    return _status(run_id)


def _release(run_id: int, attempt: int) -> None:
    """Hand the run back (queued) so the task's retry can take it; if the database is still away, the
    sweeper does once the lease is over."""
    with contextlib.suppress(DatabaseError):
        TestRun.objects.filter(pk=run_id, status=TestRun.State.PROCESSING, attempts=attempt).update(
            status=TestRun.State.QUEUED, queued_at=timezone.now()
        )


def _ingest(run_id: int, attempt: int) -> None:
    with transaction.atomic():
        # of=self: the project row stays unlocked (runs of one project are serialised by the loader).
        locked = TestRun.objects.select_for_update(skip_locked=True, of=("self",)).select_related("project")
        run = locked.filter(pk=run_id).first()
        if run is not None and run.status == TestRun.State.PROCESSING and run.attempts == attempt:
            _load(run)  # otherwise another delivery took the run over since this one claimed it


def report_uploads_purge(*, older_than_days: int | None = None) -> int:
    """Delete stored report files past TESTRUNS_UPLOAD_RETENTION_DAYS (rows stay, marked purged)."""
    days = older_than_days if older_than_days is not None else settings.TESTRUNS_UPLOAD_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    uploads = ReportUpload.objects.filter(created_at__lt=cutoff).exclude(status=ReportUpload.State.PURGED)
    purged = 0
    for upload in uploads.iterator():
        if upload.file:
            upload.file.delete(save=False)
        upload.status, upload.file = ReportUpload.State.PURGED, ""
        upload.save(update_fields=["status", "file", "updated_at"])
        purged += 1
    return purged
