"""Tasks: they only call services, and they run through a REAL Celery worker over Redis (that part is
skipped without REDIS_URL; CI requires it)."""

import ast
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.kit import wait_for


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_tasks_run_on_a_real_worker(users):
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES is set but REDIS_URL is not: the real-worker test can't run.")
        pytest.skip("needs REDIS_URL (a Redis broker) for a real Celery worker")

    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_success

    from apps.accounts.models import ApiToken
    from apps.accounts.services import api_token_create
    from apps.accounts.tasks import api_tokens_purge_task
    from apps.core.models import ObjectChange
    from apps.core.tasks import ping_task
    from config.celery import app

    token, _ = api_token_create(user=users["member"], name="long dead")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now() - timedelta(days=400))
    keep, _ = api_token_create(user=users["member"], name="alive")

    app.conf.task_always_eager = False  # the autouse fixture restores it afterwards
    # No result backend: what the worker did is observed through its success signal and the database.
    results = []

    def record(sender=None, result=None, **kwargs):
        results.append((sender.name, result))

    task_success.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            ping_task.delay("hello")
            api_tokens_purge_task.delay()
            purged = wait_for(lambda: not ApiToken.objects.filter(pk=token.pk).exists())
            ponged = wait_for(lambda: ("apps.core.tasks.ping_task", "pong:hello") in results)
    finally:
        task_success.disconnect(record)

    assert ponged, "the worker did not run ping_task"
    assert purged, "the worker did not run api_tokens_purge_task"
    assert ApiToken.objects.filter(pk=keep.pk).exists()
    entry = ObjectChange.objects.get(action="delete", object_id=str(token.pk))
    assert entry.via == "task" and entry.actor is None and entry.message == "purged: revoked or expired"


def test_require_services_turns_the_skip_into_a_failure(tmp_path):
    """Run the test above in a child pytest without REDIS_URL: skipped, or failed with REQUIRE_SERVICES=1."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "REQUIRE_SERVICES", "DATABASE_URL"}}
    target = f"{__file__}::test_tasks_run_on_a_real_worker"
    args = [sys.executable, "-m", "pytest", target, "-q", "-p", "no:randomly", "-o", "addopts="]

    skipped = subprocess.run(args, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout[-1500:]

    failed = subprocess.run(args, cwd=settings.BASE_DIR, env={**env, "REQUIRE_SERVICES": "1"},
                            capture_output=True, text=True, timeout=180)
    assert failed.returncode == 1 and "1 failed" in failed.stdout, failed.stdout[-1500:]
    assert "REQUIRE_SERVICES is set but REDIS_URL is not" in failed.stdout


def test_tasks_only_call_services():
    """No task module queries or writes the database itself (``.objects``): that is a service's job."""
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "apps").glob("*/tasks.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert not offenders, f"tasks touching the ORM directly: {offenders}"


@pytest.mark.django_db
def test_change_log_prune_deletes_past_the_retention_in_batches(users, settings):
    from apps.core.changelog import change_log_prune, log_change
    from apps.core.models import ObjectChange
    from apps.core.tasks import change_log_prune_task

    settings.THREADLINE_CHANGE_LOG_RETENTION = timedelta(days=30)
    for n in range(7):
        log_change(actor=users["owner"], instance=users["member"], action="update", verb=f"old {n}")
    ObjectChange.objects.update(time=timezone.now() - timedelta(days=31))
    log_change(actor=users["owner"], instance=users["member"], action="update", verb="recent")
    assert change_log_prune(batch=3) == 7
    assert list(ObjectChange.objects.values_list("verb", flat=True)) == ["recent"]
    assert change_log_prune_task.delay().get() == 0  # the task is the same service (idempotent)
    assert change_log_prune(older_than=timedelta(seconds=-1)) == 1
