"""Celery tasks of test runs: take ids, call the worker side (``pipeline``), nothing else.

``test_report_ingest_enqueue`` is how services hand a run to the workers (on commit): if the broker
can't take the message, the run stays ``queued`` in the database and the sweeper hands it out later.
"""

import logging

from celery import shared_task
from django.db import OperationalError

from apps.core.changelog import change_source

from .pipeline import report_uploads_purge, test_report_ingest

logger = logging.getLogger(__name__)


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


def test_report_ingest_enqueue(run_id: int) -> None:
    test_report_ingest_task.delay(run_id)


@shared_task(name="apps.testruns.tasks.report_uploads_purge_task", acks_late=True, time_limit=30 * 60)
def report_uploads_purge_task() -> int:
    """Delete raw report files older than TESTRUNS_UPLOAD_RETENTION_DAYS."""
    with change_source("task"):
        return report_uploads_purge()
