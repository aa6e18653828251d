"""Every write on test runs: create/upload, shard append, complete, ingest, re-process, delete, purge.

Keyword-only and atomic. The change log records the run (uploaded, completed, failed, deleted),
never its results. Ingestion runs in a Celery task (``test_report_ingest_task``) and is
idempotent: a complete run is left alone, a failed one is re-processed from its stored uploads.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from apps.core.changelog import log_change, snapshot
from apps.core.models import ObjectChange

from .history import history_apply_run
from .ingest import ResultLoader
from .models import ReportUpload, TestRun
from .reports import ReportError, ReportLimits, open_report_stream, parse_report
from .rows import fold_retries, records
from .storage import report_store

logger = logging.getLogger(__name__)

META_FIELDS = ("name", "branch", "commit", "build_url", "build_number", "environment", "external_id")
GZIP_MAGIC = b"\x1f\x8b"
RECORD_BATCH = 500  # records per write to the open COPY (and per progress update); bounds memory too


def max_report_bytes() -> int:
    return int(getattr(settings, "TESTRUNS_MAX_REPORT_BYTES", 100 * 1024 * 1024))


def report_limits() -> ReportLimits:
    return ReportLimits(max_bytes=max_report_bytes())


def progress_key(run_id: int) -> str:
    return f"testrun:{run_id}:progress"


def _enqueue(run: TestRun) -> None:
    from .tasks import test_report_ingest_task

    run_id = run.pk
    transaction.on_commit(lambda: test_report_ingest_task.delay(run_id))


def report_upload_store(
    *, run: TestRun, fileobj, filename: str = "", content_type: str = "", gzip: bool | None = None
) -> ReportUpload:
    """Store one report file as sent, before any parsing (cut at the size limit, flagged truncated)."""
    upload = ReportUpload.objects.create(
        run=run, filename=(filename or "report.xml")[:255], content_type=(content_type or "")[:100]
    )
    stored = report_store(upload=upload, fileobj=fileobj, limit=max_report_bytes())
    upload.size, upload.truncated = stored.size, stored.truncated
    upload.gzip = bool(gzip) or stored.head.startswith(GZIP_MAGIC)
    upload.save(update_fields=["file", "size", "truncated", "gzip", "updated_at"])
    return upload


@transaction.atomic
def test_run_create(
    *,
    project,
    actor,
    report=None,
    filename: str = "",
    content_type: str = "",
    gzip: bool | None = None,
    open: bool = False,
    **meta,
) -> tuple[TestRun, bool]:
    """Create a run from CI metadata (+ its first report). Returns (run, created).

    Re-posting an ``external_id`` already known in the project returns that run and stores nothing.
    A run created ``open`` (sharded CI) waits for more reports and ``test_run_complete``.
    """
    meta = {
        key: (str(value).strip() if value is not None else "")
        for key, value in meta.items()
        if key in META_FIELDS
    }
    external_id = meta.get("external_id", "")
    if external_id:
        existing = TestRun.objects.filter(project=project, external_id=external_id).first()
        if existing is not None:
            return existing, False
    if report is None and not open:
        raise ValidationError(
            {
                "report": [
                    "No report: send the file as multipart field 'report' or as the request body "
                    "(Content-Type: application/xml)."
                ]
            }
        )
    run = TestRun(
        project=project,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        is_open=open,
        **meta,
    )
    run.full_clean(exclude=["project", "created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        # Another upload with the same external_id won the race.
        existing = TestRun.objects.filter(project=project, external_id=external_id).first()
        if existing is None:
            raise
        return existing, False
    if report is not None:
        report_upload_store(run=run, fileobj=report, filename=filename, content_type=content_type, gzip=gzip)
    log_change(
        actor=actor, instance=run, action=ObjectChange.Action.CREATE, after=snapshot(run), verb="uploaded"
    )
    if not open:
        _enqueue(run)
    return run, True


@transaction.atomic
def test_run_add_report(
    *, run: TestRun, actor, report, filename: str = "", content_type: str = "", gzip: bool | None = None
) -> ReportUpload:
    """Append one more report file (a CI shard) to an open run."""
    run = TestRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_open:
        raise ValidationError("This run is closed: it was completed or not created open (open=true).")
    return report_upload_store(
        run=run, fileobj=report, filename=filename, content_type=content_type, gzip=gzip
    )


@transaction.atomic
def test_run_complete(*, run: TestRun, actor) -> TestRun:
    """Close a sharded run and queue its processing. Completing a closed run changes nothing."""
    run = TestRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_open:
        return run
    if not run.uploads.exists():
        raise ValidationError("This run has no report yet: upload at least one file before completing it.")
    run.is_open = False
    run.save(update_fields=["is_open", "updated_at"])
    _enqueue(run)
    return run


@transaction.atomic
def test_run_reprocess(*, run: TestRun, actor) -> TestRun:
    """Queue a failed run again; its stored uploads are parsed from scratch."""
    run = TestRun.objects.select_for_update().get(pk=run.pk)
    if run.status != TestRun.State.FAILED:
        raise ValidationError(f"Only a failed run can be re-processed; this one is {run.status}.")
    if not run.uploads.exclude(status=ReportUpload.State.PURGED).exists():
        raise ValidationError("The uploads of this run were purged; upload the report again.")
    run.status, run.error, run.progress = TestRun.State.QUEUED, "", 0
    run.save(update_fields=["status", "error", "progress", "updated_at"])
    log_change(actor=actor, instance=run, action=ObjectChange.Action.ACTION, verb="re-processing")
    _enqueue(run)
    return run


@transaction.atomic
def test_run_delete(*, run: TestRun, actor) -> None:
    log_change(
        actor=actor, instance=run, action=ObjectChange.Action.DELETE, before=snapshot(run), verb="deleted"
    )
    files = [u.file.name for u in run.uploads.all() if u.file]
    storage = ReportUpload._meta.get_field("file").storage
    run.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


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
    """Read-through wrapper that reports raw bytes read to a ``_Progress``."""

    def __init__(self, raw, progress: _Progress):
        self.raw, self.progress = raw, progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.progress.advance(len(data))
        return data


def _check_stored(uploads: list[ReportUpload]) -> None:
    for upload in uploads:
        if upload.truncated:
            raise ReportError(
                f"{upload.filename}: the file exceeds the {max_report_bytes() // (1024 * 1024)} MB limit "
                "(TESTRUNS_MAX_REPORT_BYTES); it was stored cut short and not processed."
            )


def _cases(run: TestRun, uploads: list[ReportUpload], progress: _Progress):
    limits = report_limits()
    many = len(uploads) > 1
    for upload in uploads:
        try:
            raw = upload.file.open("rb")
        except (OSError, ValueError) as exc:
            raise ReportError(f"{upload.filename}: the stored upload can't be read ({exc}).") from exc
        count = 0
        try:
            stream = open_report_stream(
                _Counting(raw, progress), gzip=True if upload.gzip else None, limits=limits
            )
            for case in parse_report(stream, limits=limits):
                count += 1
                yield case
        except ReportError as exc:
            raise ReportError(f"{upload.filename}: {exc}" if many else str(exc)) from None
        finally:
            raw.close()
        upload.cases = count


def _record_batches(run: TestRun, uploads: list[ReportUpload], progress: _Progress):
    """The uploads' final cases as the streaming loader's records (``rows``), in batches."""
    source = records(fold_retries(_cases(run, uploads, progress)))
    while batch := list(itertools.islice(source, RECORD_BATCH)):
        yield batch


def _load(run: TestRun) -> None:
    uploads = list(run.uploads.exclude(status=ReportUpload.State.PURGED).order_by("id"))
    if not uploads:
        raise ReportError("No report file is stored for this run (purged after its retention period?).")
    _check_stored(uploads)
    progress = _Progress(run.pk, sum(u.size for u in uploads))
    loader = ResultLoader(run=run)
    started = time.perf_counter()
    try:
        loader.start()
        with contextlib.closing(_record_batches(run, uploads, progress)) as batches:
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


def _fail(run_id: int, error: str) -> None:
    with transaction.atomic():
        run = TestRun.objects.select_for_update().get(pk=run_id)
        run.status, run.error, run.progress = TestRun.State.FAILED, error[:5000], 0
        run.tests = run.passed = run.failed = run.errors = run.skipped = run.flaky = 0
        run.duration, run.completed_at = 0.0, timezone.now()
        run.save()
        run.uploads.exclude(status=ReportUpload.State.PURGED).update(
            status=ReportUpload.State.FAILED, error=error[:5000]
        )
        log_change(actor=None, instance=run, action=ObjectChange.Action.ACTION, verb="failed", message=error)


def test_report_ingest(*, run_id: int) -> str:
    """Parse the run's stored reports and load its results in ONE transaction; returns the final status.

    Any report problem rolls everything back (no partial results) and leaves the run ``failed``
    with the reason; uploads are kept for re-processing.
    """
    run = TestRun.objects.filter(pk=run_id).only("status", "is_open").first()
    if run is None or run.status == TestRun.State.COMPLETE or run.is_open:
        return run.status if run else "missing"
    TestRun.objects.filter(pk=run_id).exclude(status=TestRun.State.COMPLETE).update(
        status=TestRun.State.PROCESSING, started_at=timezone.now(), progress=0, error=""
    )
    cache.set(progress_key(run_id), 0, 3600)
    try:
        with transaction.atomic():
            run = TestRun.objects.select_for_update().select_related("project").get(pk=run_id)
            if run.status == TestRun.State.COMPLETE:  # another worker finished it meanwhile
                return run.status
            _load(run)
    except ReportError as exc:
        _fail(run_id, str(exc))
    except OperationalError:
        raise  # database trouble: the task retries with backoff
    except Exception as exc:  # keep the worker alive and the run explained
        logger.exception("Ingesting test run %s failed", run_id)
        _fail(
            run_id,
            f"Internal error while processing the report ({type(exc).__name__}); "
            "the upload is kept and the run can be re-processed.",
        )
    finally:
        cache.delete(progress_key(run_id))
    return TestRun.objects.filter(pk=run_id).values_list("status", flat=True).first() or "missing"


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
