"""Celery tasks of core: take ids, call a service, nothing else."""

from celery import shared_task

from .changelog import change_log_prune, change_source


@shared_task(name="apps.core.tasks.change_log_prune_task", time_limit=600, acks_late=True)
def change_log_prune_task() -> int:
    """Drop change-log entries older than CHANGE_LOG_RETENTION_DAYS (bulk; not itself logged)."""
    with change_source("task"):
        return change_log_prune()


@shared_task(name="apps.core.tasks.ping_task", time_limit=30)
def ping_task(value: str) -> str:
    """Round-trip probe used by health tooling and the real-worker test."""
    return f"pong:{value}"
