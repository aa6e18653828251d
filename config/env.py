"""Reading settings from the environment, failing loudly with the variable's name.

Every setting Threadline takes from the environment goes through these helpers, so a bad value
stops start-up with a message such as ``DATABASE_URL: unsupported scheme 'mysqlx'`` instead of a
stack trace three layers down.
"""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}: expected a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(name: str, default: str) -> dict:
    """Parse DATABASE_URL (sqlite:///path or postgres://...) into a Django DATABASES entry."""
    import dj_database_url

    raw = os.environ.get(name) or default
    scheme = raw.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {scheme!r} in {raw!r}; use sqlite:///path or postgres://user@host/db"
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name}: cannot parse {raw!r}: {exc}") from exc
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}: no database name in {raw!r}")
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE: a write transaction takes the lock when it starts, so two writers queue up
        # (for up to `timeout` seconds) instead of one failing with "database is locked" when its
        # read turns into a write.
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    return config


def redis_url(name: str) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and urlparse(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name}: expected redis://host:port/db, got {raw!r}")
    return raw


def email_from_url(name: str) -> dict:
    """EMAIL_URL: console:// (default), locmem://, smtp://user:pass@host:587?tls=1 or smtps://..."""
    raw = os.environ.get(name, "console://").strip() or "console://"
    url = urlparse(raw)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if url.scheme not in backends:
        raise ImproperlyConfigured(f"{name}: unsupported scheme {url.scheme!r}; use console://, smtp:// or smtps://")
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    try:
        port = url.port
    except ValueError:
        raise ImproperlyConfigured(f"{name}: invalid port in {raw!r}") from None
    return {
        "EMAIL_BACKEND": backends[url.scheme],
        "EMAIL_HOST": url.hostname or "localhost",
        "EMAIL_PORT": port or (465 if url.scheme == "smtps" else 587 if url.scheme == "smtp" else 25),
        "EMAIL_HOST_USER": unquote(url.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
        "EMAIL_USE_SSL": url.scheme == "smtps",
        "EMAIL_USE_TLS": url.scheme == "smtp" and query.get("tls", "1") in TRUE_WORDS,
    }
