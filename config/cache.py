"""The cache backend used with REDIS_URL: Redis, and this process's memory while Redis is unreachable.

Everything that reads the cache (allauth's login rate limits and their locks, DRF throttles, import
previews, test-run progress) keeps working, per process, through a Redis outage instead of answering
500. Merely ignoring errors is not enough: allauth takes a lock with ``cache.add`` before counting a
login attempt, and a lock that can never be taken refuses every login (429).

After a failure, Redis is left alone for ``FAILOVER_RETRY_SECONDS`` (default 5), so a dead server
costs one connection attempt per process per period, not one per cache call. The switch both ways is
logged (logger ``threadline.cache``). /healthz asks Redis itself (``primary``), so it still says the
cache is down.
"""

import contextlib
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger("threadline.cache")

UNREACHABLE = (ConnectionInterrupted, RedisError, OSError)


class FailoverRedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("FAILOVER_RETRY_SECONDS", 5))
        # Errors must reach us (to fail over), not be swallowed into "a miss" by django-redis.
        options["IGNORE_EXCEPTIONS"] = False
        self.primary = RedisCache(server, {**params, "OPTIONS": options})
        self.fallback = LocMemCache(f"threadline-failover:{server}", {
            key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params
        })
        self._down_until = 0.0

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(self.primary, method)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._down_until = time.monotonic() + self.retry_seconds
                logger.warning("Redis cache unreachable (%s: %s); this process uses its own memory for %g s",
                               type(exc).__name__, exc, self.retry_seconds)
            else:
                if self._down_until:
                    self._down_until = 0.0
                    logger.warning("Redis cache reachable again")
                return result
        return getattr(self.fallback, method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version) or []

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        self.fallback.clear()
        return self._call("clear")

    def close(self, **kwargs):
        with contextlib.suppress(*UNREACHABLE):
            self.primary.close(**kwargs)


def redis_cache(location: str, *, key_prefix: str = "threadline", socket_timeout: float = 2) -> dict:
    """The CACHES entry for a Redis at ``location`` (settings, and tests pointing it at a dead server)."""
    return {
        "BACKEND": "config.cache.FailoverRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": socket_timeout, "SOCKET_TIMEOUT": socket_timeout},
    }
