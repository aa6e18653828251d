from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import ObjectChange


@shared_task(name="apps.core.tasks.change_log_prune_task", time_limit=600, acks_late=True)
def change_log_prune_task() -> int:
    """Drop change-log entries older than CHANGE_LOG_RETENTION_DAYS (bulk; not itself logged)."""
    cutoff = timezone.now() - settings.THREADLINE_CHANGE_LOG_RETENTION
    deleted, _ = ObjectChange.objects.filter(time__lt=cutoff).delete()
    return deleted


@shared_task(name="apps.core.tasks.ping_task", time_limit=30)
def ping_task(value: str) -> str:
    """Round-trip probe used by health tooling and the real-worker test."""
    return f"pong:{value}"
