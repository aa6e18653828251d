"""Celery tasks of contracts: take ids, call the worker side (``pipeline``), nothing else.

``contract_version_process_enqueue`` is how services hand a version to the workers (on commit): if the
broker can't take the message, the version stays ``queued`` in the database and the sweeper
(``contract_versions_sweep_task``, on the beat schedule) sends it later, as it sends again what a
killed worker left behind.
"""

import logging

import kombu.exceptions
from celery import shared_task
from django.db import OperationalError

from apps.core.changelog import change_source

from .pipeline import contract_version_enqueue_failed, contract_version_process, contract_versions_sweep

logger = logging.getLogger(__name__)


@shared_task(name="apps.contracts.tasks.contract_version_process_task", acks_late=True, time_limit=10 * 60,
             soft_time_limit=9 * 60, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)  # fmt: skip
def contract_version_process_task(version_id: int) -> str:
    """Validate, index, lint and diff a version. Idempotent: a processed version is left as it is."""
    with change_source("task"):
        return contract_version_process(version_id=version_id)


def contract_version_process_enqueue(version_id: int) -> bool:
    try:
        contract_version_process_task.delay(version_id)
    except kombu.exceptions.OperationalError as exc:
        logger.warning("Contract version %s stays queued for the sweeper: the broker refused it (%s)", version_id, exc)
        contract_version_enqueue_failed(version_id=version_id)
        return False
    return True


@shared_task(name="apps.contracts.tasks.contract_versions_sweep_task", acks_late=True, time_limit=5 * 60)
def contract_versions_sweep_task() -> int:
    """Every minute (beat): send again the versions whose message or worker was lost."""
    with change_source("task"):
        version_ids = contract_versions_sweep()
    for version_id in version_ids:
        contract_version_process_enqueue(version_id)
    return len(version_ids)
