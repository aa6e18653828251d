"""Settings come from the environment; a bad value stops start-up naming the variable."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"


def run(code_or_args, **env):
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    args = [sys.executable, "-c", code_or_args] if isinstance(code_or_args, str) else [sys.executable, *code_or_args]
    return subprocess.run(args, cwd=settings.BASE_DIR, env={**base, **env}, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("DATABASE_URL", "mysqlx://x", "DATABASE_URL: unsupported scheme 'mysqlx'"),
        ("DATABASE_URL", "postgres://user@host", "DATABASE_URL: no database name"),
        ("REDIS_URL", "http://localhost:6379/0", "REDIS_URL: expected redis://host:port/db"),
        ("DEBUG", "maybe", "DEBUG: expected a boolean"),
        ("EMAIL_URL", "ftp://mail.example.com", "EMAIL_URL: unsupported scheme 'ftp'"),
        ("EMAIL_URL", "smtp://mail.example.com:notaport", "EMAIL_URL: invalid port"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS: expected a whole number"),
        ("HTTPS", "sometimes", "HTTPS: expected a boolean"),
    ],
)
def test_bad_environment_fails_at_startup_naming_the_variable(variable, value, message):
    result = run(SETUP, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr, result.stderr[-1500:]


def test_good_environment_starts():
    code = SETUP + (
        "; from django.conf import settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEBUG)"
    )
    result = run(code, EMAIL_URL="smtp://u:p%40ss@mail.example.com:2525", DEBUG="yes",
                 DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["mail.example.com", "2525", "True", "True"]


def test_check_deploy_passes_with_production_settings():
    """DEBUG off + a real secret: HTTPS hardening is on by default, so `check --deploy` is clean.

    drf-spectacular's schema warnings (drf_spectacular.W001) also surface here; they are asserted
    on their own, per app, in test_core_schema.py, so this test is about everything else.
    """
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="threadline.example.com",
        DATABASE_URL="sqlite:///:memory:",
    )
    output = result.stdout + result.stderr
    issues = [line for line in output.splitlines() if re.match(r"^\S*: \(\w+\.[EWC]\d+\)", line)]
    other = [line for line in issues if "(drf_spectacular.W001)" not in line]
    assert other == [], output
    if not issues:
        assert result.returncode == 0 and "System check identified no issues" in result.stdout, output


def test_check_deploy_flags_the_insecure_default_key():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DEBUG="0",
                 DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0 and "security.W009" in result.stderr + result.stdout
