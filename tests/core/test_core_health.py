"""/healthz: JSON status of database, cache (and broker with REDIS_URL); 503 when one is down."""

from unittest import mock

import pytest


@pytest.mark.smoke
@pytest.mark.django_db
def test_healthz_ok(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("failing", ["_database", "_cache"])
def test_healthz_503_when_a_dependency_is_down(client, settings, failing):
    """The public answer says what is down, not why (error texts name hosts and ports); staff see why."""
    from tests.conftest import make_user

    settings.REDIS_URL = ""
    name = failing.lstrip("_")
    with mock.patch(f"apps.core.health.{failing}", side_effect=ConnectionError("refused by db.internal:5432")):
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "down"
        assert body["checks"][name] == {"status": "down"}
        assert "db.internal" not in response.content.decode()
        client.force_login(make_user("root", is_staff=True))
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"][name]["error"] == "ConnectionError: refused by db.internal:5432"


@pytest.mark.django_db
def test_healthz_reports_broker_when_redis_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with mock.patch("apps.core.health._broker", side_effect=OSError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"
    with mock.patch("apps.core.health._broker", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_dead_cache_server_is_503(client, settings):
    """A real dead cache (nothing listens on port 1), not a mock."""
    from django.core.cache import caches

    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    try:
        response = client.get("/healthz")
    finally:
        caches._settings = None  # forget the dead cache for the next tests
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "down"


@pytest.mark.django_db
def test_healthz_answers_container_probes_whatever_allowed_hosts_and_https(client, settings):
    """The Docker HEALTHCHECK calls http://127.0.0.1:8000/healthz; production lists only its real
    host names in ALLOWED_HOSTS and redirects plain HTTP — neither may fail the probe."""
    settings.REDIS_URL = ""
    settings.ALLOWED_HOSTS = ["threadline.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    # Everything else still validates the host.
    assert client.get("/projects/", HTTP_HOST="127.0.0.1:8000").status_code == 400
