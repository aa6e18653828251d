"""/healthz (JSON, for probes) and /status/ (a page, for people): is the database, the cache and
(with REDIS_URL) the Celery broker reachable? 503 when something is down. The public answer names
what is down, never why: error texts carry hostnames, ports and addresses. Those go to the log, and
to signed-in staff.
"""

import logging
import time
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _check(name: str, fn) -> dict:
    started = time.monotonic()
    try:
        fn()
    except Exception as exc:  # any failure means "down"; the message says why (to the log and staff)
        error = f"{type(exc).__name__}: {exc}"[:300]
        logger.warning("healthz: %s is down: %s", name, error)
        return {"status": "down", "error": error}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    # A failover cache (config/cache.py) answers from memory while Redis is down: ask Redis itself.
    probe = getattr(cache, "primary", cache)
    probe.set("healthz", "1", 10)
    if probe.get("healthz") != "1":
        raise RuntimeError("cache did not return the value just written")


def _broker():
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _is_staff(request) -> bool:
    """Staff see why a check failed. /healthz is answered before the session and auth middleware
    (apps.core.middleware.HealthzMiddleware), so the session is read here, and only when sent."""
    user = getattr(request, "user", None)
    if user is None:
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key:
            return False
        from django.contrib.auth import get_user

        try:
            request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
            user = get_user(request)
        except Exception:  # the database (or cache) holding sessions is down: not staff, as far as we know
            return False
    return bool(user.is_active and user.is_staff)


def run_checks(request) -> tuple[bool, dict]:
    """(healthy, {name: {"status", "ms" | "error"}}); the error texts only for staff."""
    checks = {"database": _check("database", _database), "cache": _check("cache", _cache)}
    if settings.REDIS_URL:
        checks["broker"] = _check("broker", _broker)
    healthy = all(c["status"] == "ok" for c in checks.values())
    if not healthy and not _is_staff(request):
        checks = {name: {k: v for k, v in check.items() if k != "error"} for name, check in checks.items()}
    return healthy, checks


@never_cache
def healthz(request):
    healthy, checks = run_checks(request)
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503)


COMPONENTS = {
    "database": ("Database", "Projects, requirements, runs: everything Threadline records."),
    "cache": ("Cache", "Sessions' rate limits, progress bars and import previews."),
    "broker": ("Task queue", "Hands report processing to the background workers."),
}


@never_cache
def status_page(request):
    """/status/: the same checks as /healthz, for people (linked from every page's footer)."""
    healthy, checks = run_checks(request)
    rows = [{"name": COMPONENTS[key][0], "role": COMPONENTS[key][1], **check} for key, check in checks.items()]
    context = {"healthy": healthy, "rows": rows, "embedded": not settings.REDIS_URL}
    return render(request, "status.html", context, status=200 if healthy else 503)
