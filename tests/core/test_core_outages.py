"""Outages degrade, never crash: with Redis (the cache) down, logins, throttled API calls and import
previews keep working from each process's memory, and /healthz says the cache is down — naming no
host, port or error to the public.

The cache is the project's own Redis entry (config.cache.redis_cache, what settings use with
REDIS_URL) pointed at a port where nothing listens.
"""

import logging
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.throttling import UserRateThrottle

from apps.projects.api.views import ProjectViewSet
from apps.requirements.models import Requirement
from config.cache import redis_cache
from tests.conftest import PASSWORD, make_user

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {"default": redis_cache(DEAD, socket_timeout=0.5)}
    return settings


def test_login_works_with_the_cache_down(client, users, dead_cache, caplog):
    caplog.set_level(logging.WARNING, logger="threadline.cache")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"login": "member", "password": "wrong"})
    assert response.status_code == 200 and "password you specified are not correct" in response.content.decode()
    response = client.post("/accounts/login/", {"login": "member", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert client.get("/projects/").status_code == 200
    assert "Redis cache unreachable" in caplog.text


def test_login_rate_limit_still_counts_in_memory_while_the_cache_is_down(client, users, dead_cache):
    dead_cache.ACCOUNT_RATE_LIMITS = {"login_failed": "2/m/ip,2/5m/key"}
    for _ in range(2):
        assert client.post("/accounts/login/", {"login": "member", "password": "wrong"}).status_code == 200
    response = client.post("/accounts/login/", {"login": "member", "password": "wrong"})
    assert response.status_code in (200, 429) and "Too many failed login attempts" in response.content.decode()


class ThreePerMinute(UserRateThrottle):
    rate = "3/min"


def test_throttled_api_works_with_the_cache_down(api_as, project, dead_cache):
    api = api_as("member")
    with mock.patch.object(ProjectViewSet, "throttle_classes", [ThreePerMinute]):
        statuses = [api.get("/api/v1/projects/").status_code for _ in range(4)]
    # Served, and still throttled (per process) rather than a 500 or no limit at all.
    assert statuses == [200, 200, 200, 429]


def test_import_preview_works_with_the_cache_down(client_as, project, dead_cache):
    client = client_as("maintainer")
    url = "/projects/payments-api/requirements/import/"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", b"title,priority\nRefunds,must\n")})
    assert response.status_code == 200 and response.context["token"]
    response = client.post(url, {"token": response.context["token"]})
    assert response.status_code == 302 and Requirement.objects.get().title == "Refunds"
    # A preview lost with the cache (another process, a restart) asks for the file again.
    response = client.post(url, {"token": "lost"}, follow=True)
    assert response.status_code == 200 and "upload the file again" in response.content.decode()


def test_healthz_names_what_is_down_but_not_where_or_why(client, db, dead_cache, caplog):
    dead_cache.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "down" and body["checks"]["cache"] == {"status": "down"}
    assert body["checks"]["database"]["status"] == "ok"
    text = response.content.decode()
    for secret in ("127.0.0.1", "redis://", "Error", "onnect"):
        assert secret not in text
    # The reason is in the log.
    assert "healthz: cache is down" in caplog.text and "127.0.0.1" in caplog.text


def test_healthz_shows_why_to_staff(client, db, dead_cache):
    dead_cache.REDIS_URL = ""
    client.force_login(make_user("root", is_staff=True))
    body = client.get("/healthz").json()
    assert body["checks"]["cache"]["status"] == "down"
    assert "ConnectionError" in body["checks"]["cache"]["error"] and "127.0.0.1" in body["checks"]["cache"]["error"]


def test_healthz_keeps_details_from_signed_in_non_staff(client, users, dead_cache):
    dead_cache.REDIS_URL = ""
    client.force_login(users["owner"])
    assert client.get("/healthz").json()["checks"]["cache"] == {"status": "down"}


def test_failover_logs_once_per_outage_and_retries_redis_later(dead_cache, caplog):
    from django.core.cache import cache

    caplog.set_level(logging.WARNING, logger="threadline.cache")
    cache.set("k", "v")
    assert cache.get("k") == "v" and cache.add("lock", 1) and not cache.add("lock", 1)
    assert caplog.text.count("Redis cache unreachable") == 1
    cache._down_until = 0  # the retry period is over: Redis is tried again, and found still down
    assert cache.get("k") == "v"
    assert caplog.text.count("Redis cache unreachable") == 2


def test_failover_uses_redis_when_it_is_up_and_says_when_it_is_back(settings, caplog):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (a live Redis)")
    from django.core.cache import cache

    caplog.set_level(logging.WARNING, logger="threadline.cache")
    cache.set("shared", "in redis")
    assert cache.primary.get("shared") == "in redis" and cache.fallback.get("shared") is None
    cache._down_until = 1.0  # it was down; the retry period is over
    assert cache.get("shared") == "in redis" and cache._down_until == 0
    assert "Redis cache reachable again" in caplog.text
