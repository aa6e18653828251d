"""Celery tasks of test runs: take ids, call a service, nothing else."""

from celery import shared_task
from django.db import OperationalError

from apps.core.changelog import change_source

from .services import report_uploads_purge, test_report_ingest


@shared_task(
    name="apps.testruns.tasks.test_report_ingest_task",
    acks_late=True,
    time_limit=30 * 60,
    soft_time_limit=29 * 60,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def test_report_ingest_task(run_id: int) -> str:
    """Parse and load a run's reports. Idempotent: a complete run is left as it is."""
    with change_source("task"):
        return test_report_ingest(run_id=run_id)


@shared_task(name="apps.testruns.tasks.report_uploads_purge_task", acks_late=True, time_limit=30 * 60)
def report_uploads_purge_task() -> int:
    """Delete raw report files older than TESTRUNS_UPLOAD_RETENTION_DAYS."""
    with change_source("task"):
        return report_uploads_purge()
