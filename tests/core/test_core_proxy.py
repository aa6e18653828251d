"""Proxy trust: X-Forwarded-* headers are believed only with BEHIND_PROXY=1 — by Django (HTTPS, host,
client address for login rate limits and API throttles) and by gunicorn (config/gunicorn.py).

Settings are read once at start-up, so each case starts a fresh interpreter with its environment.
"""

import importlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORGED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": "threadline.example.com",
    "HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.0.0.7",
}
PROBE = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from allauth.core.internal.httpkit import get_client_ip
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle
request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **json.loads(os.environ["PROBE_HEADERS"]))
print(json.dumps({"secure": request.is_secure(), "host": request.get_host(), "login_ip": get_client_ip(request),
                  "throttle_ip": AnonRateThrottle().get_ident(request)}))
"""


def probe(**env) -> dict:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    env = {**base, "DATABASE_URL": "sqlite:///:memory:", "PROBE_HEADERS": json.dumps(FORGED),
           "ALLOWED_HOSTS": "threadline.example.com,testserver", **env}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_without_a_proxy_forwarded_headers_are_ignored():
    seen = probe(BEHIND_PROXY="0")
    assert seen == {"secure": False, "host": "testserver", "login_ip": "10.0.0.2", "throttle_ip": "10.0.0.2"}


def test_behind_a_proxy_forwarded_headers_are_believed():
    # The proxy appended 10.0.0.7 (the address it saw); 6.6.6.6 before it is whatever the client sent.
    seen = probe(BEHIND_PROXY="1")
    assert seen == {"secure": True, "host": "threadline.example.com", "login_ip": "10.0.0.7",
                    "throttle_ip": "10.0.0.7"}
    assert probe(BEHIND_PROXY="1", PROXY_COUNT="2")["login_ip"] == "6.6.6.6"


# --- gunicorn -----------------------------------------------------------------------------------


@pytest.fixture
def gunicorn_config(monkeypatch):
    def load(**env):
        for name in ("BEHIND_PROXY", "FORWARDED_ALLOW_IPS", "PORT", "GUNICORN_BIND", "WEB_CONCURRENCY"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        import config.gunicorn

        return importlib.reload(config.gunicorn)

    return load


def test_gunicorn_trusts_no_proxy_by_default(gunicorn_config):
    config = gunicorn_config()
    assert config.forwarded_allow_ips == ""
    assert (config.bind, config.workers, config.accesslog) == ("0.0.0.0:8000", 3, "-")


def test_gunicorn_trusts_the_configured_proxies_behind_a_proxy(gunicorn_config):
    assert gunicorn_config(BEHIND_PROXY="1").forwarded_allow_ips == ""
    config = gunicorn_config(BEHIND_PROXY="1", FORWARDED_ALLOW_IPS="10.0.0.0/8,192.168.1.10")
    assert config.forwarded_allow_ips == "10.0.0.0/8,192.168.1.10"


def test_gunicorn_refuses_proxy_addresses_without_behind_proxy(gunicorn_config):
    with pytest.raises(SystemExit, match="FORWARDED_ALLOW_IPS.*BEHIND_PROXY=1"):
        gunicorn_config(FORWARDED_ALLOW_IPS="*")


def echo_scheme(environ, start_response):
    """A WSGI app for the gunicorn test below: answers the scheme gunicorn decided on."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_scheme(*args, **env) -> str:
    """Start gunicorn with config/gunicorn.py (as the image and `make web` do), send a request claiming
    HTTPS from 127.0.0.1, and return the scheme the application was given."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}", "--workers", "1", *args,
         "tests.core.test_core_proxy:echo_scheme"],
        cwd=ROOT, env={**base, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"})
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.read().decode()
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_from_the_config_file_does_not_let_a_client_claim_https():
    assert served_scheme() == "http"
    assert served_scheme(BEHIND_PROXY="1") == "http"  # Django's SECURE_PROXY_SSL_HEADER decides there
    assert served_scheme(BEHIND_PROXY="1", FORWARDED_ALLOW_IPS="127.0.0.1") == "https"
    # What the image's command line did before (--forwarded-allow-ips "*"): any client was believed.
    assert served_scheme("--forwarded-allow-ips", "*") == "https"
