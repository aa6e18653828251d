"""Every write on test runs from a request: create/upload, shard append, complete, re-process, delete.

Keyword-only and atomic. The change log records the run (uploaded, report added, completed,
re-processing, deleted), never its results. Accepting a run queues its ingestion: the database row
(status ``queued``) is the record of the work, the Celery message (sent on commit by
``tasks.test_report_ingest_enqueue``) only a wake-up call. What the worker then does lives in
``pipeline`` (ingestion, purge), which the tasks call.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.changelog import log_change, snapshot
from apps.core.models import ObjectChange
from apps.core.services import reserve_numbers

from . import tasks
from .models import ReportUpload, TestRun

# progress_key and test_report_ingest are re-exported: pages, the API and tests use them from here.
from .pipeline import abandoned, lease, max_report_bytes, progress_key, test_report_ingest  # noqa: F401
from .storage import report_store

META_FIELDS = ("name", "branch", "commit", "build_url", "build_number", "environment", "external_id")
GZIP_MAGIC = b"\x1f\x8b"


def _enqueue(run: TestRun) -> None:
    transaction.on_commit(partial(tasks.test_report_ingest_enqueue, run.pk))


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
        queued_at=None if open else timezone.now(),
        **meta,
    )
    run.full_clean(exclude=["project", "created_by", "number"], validate_constraints=False)
    # The number is taken in a transaction of its own when there is no outer one (an API request):
    # the counter's row lock then lasts a moment, not the whole upload. A failed upload leaves a gap,
    # as a deleted run does: numbers are never reused.
    (run.number,) = reserve_numbers(project=project, name="testrun")
    with transaction.atomic():  # the run, its stored report and its log entry: all or nothing
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
    upload = report_upload_store(
        run=run, fileobj=report, filename=filename, content_type=content_type, gzip=gzip
    )
    log_change(
        actor=actor, instance=run, action=ObjectChange.Action.ACTION, verb="added a report",
        message=f"{upload.filename} ({upload.size} bytes)",
    )  # fmt: skip
    return upload


@transaction.atomic
def test_run_complete(*, run: TestRun, actor) -> TestRun:
    """Close a sharded run and queue its processing. Completing a closed run changes nothing."""
    run = TestRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_open:
        return run
    if not run.uploads.exists():
        raise ValidationError("This run has no report yet: upload at least one file before completing it.")
    run.is_open, run.queued_at = False, timezone.now()
    run.save(update_fields=["is_open", "queued_at", "updated_at"])
    log_change(
        actor=actor, instance=run, action=ObjectChange.Action.ACTION, verb="completed upload",
        message=f"{run.uploads.count()} report file(s) queued for processing",
    )  # fmt: skip
    _enqueue(run)
    return run


@transaction.atomic
def test_run_reprocess(*, run: TestRun, actor) -> TestRun:
    """Queue a failed run again, or a stuck one (queued or processing with no worker finishing it within
    TESTRUNS_LEASE_SECONDS); its stored uploads are parsed from scratch, with a fresh attempt count."""
    run = TestRun.objects.select_for_update(skip_locked=True).filter(pk=run.pk).first()
    if run is None:  # its row is locked: a worker is processing it right now
        raise ValidationError("This run is being processed right now; it can't be re-processed meanwhile.")
    stuck = TestRun.objects.filter(abandoned(), pk=run.pk).exists()
    if run.status != TestRun.State.FAILED and not stuck:
        raise ValidationError(
            f"Only a failed run, or one stuck queued or processing for longer than "
            f"{lease().total_seconds() / 60:g} minutes, can be re-processed; this one is {run.status}."
        )
    if not run.uploads.exclude(status=ReportUpload.State.PURGED).exists():
        raise ValidationError("The uploads of this run were purged; upload the report again.")
    run.status, run.error, run.progress = TestRun.State.QUEUED, "", 0
    run.attempts, run.queued_at = 0, timezone.now()
    run.save(update_fields=["status", "error", "progress", "attempts", "queued_at", "updated_at"])
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
