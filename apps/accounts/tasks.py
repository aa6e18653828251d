from celery import shared_task

from apps.core.changelog import change_source

from .services import api_tokens_purge


@shared_task(name="apps.accounts.tasks.api_tokens_purge_task", time_limit=300, acks_late=True)
def api_tokens_purge_task() -> int:
    with change_source("task"):
        return api_tokens_purge()
