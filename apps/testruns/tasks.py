"""Celery tasks of test runs: take ids, call the worker side (``pipeline``), nothing else.

``test_report_ingest_enqueue`` is how services hand a run to the workers (on commit): if the broker
can't take the message, the run stays ``queued`` in the database and the sweeper (``test_runs_sweep_task``,
on the beat schedule) sends it later; it also sends again what a killed worker left behind.
"""

import logging

import kombu.exceptions
from celery import shared_task
from django.db import OperationalError

from apps.core.changelog import change_source

from .pipeline import report_uploads_purge, test_report_ingest, test_run_enqueue_failed, test_runs_sweep

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


def test_report_ingest_enqueue(run_id: int) -> bool:
    """Send a run to the workers (services call it on commit). A broker that can't take the message
    doesn't fail the request that accepted the run: it stays ``queued``, due for the next sweep."""
    try:
        test_report_ingest_task.delay(run_id)
    except kombu.exceptions.OperationalError as exc:
        logger.warning("Test run %s stays queued for the sweeper: the broker refused its task (%s)", run_id, exc)
        test_run_enqueue_failed(run_id=run_id)
        return False
    return True


@shared_task(name="apps.testruns.tasks.test_runs_sweep_task", acks_late=True, time_limit=5 * 60)
def test_runs_sweep_task() -> int:
    """Every minute (beat): send again the runs whose message or worker was lost past the lease."""
    with change_source("task"):
        run_ids = test_runs_sweep()
    for run_id in run_ids:
        test_report_ingest_enqueue(run_id)
    return len(run_ids)


@shared_task(name="apps.testruns.tasks.report_uploads_purge_task", acks_late=True, time_limit=30 * 60)
def report_uploads_purge_task() -> int:
    """Delete raw report files older than TESTRUNS_UPLOAD_RETENTION_DAYS."""
    with change_source("task"):
        return report_uploads_purge()
