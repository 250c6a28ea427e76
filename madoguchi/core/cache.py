"""A Redis cache that degrades: when Redis is down, reads miss and writes are dropped.

Pages, rate limits and brand lookups then run without the cache (slower, never failing), and
/healthz reports the outage through ping(), which still raises. After a failure the cache is
skipped for a few seconds, so a Redis that does not answer costs one timeout, not one per call.

Django makes a cache object per request context (asgiref's Local), and a2wsgi runs each request
in a context of its own: whatever an instance kept would be built again for every page. The
connection pool and the breaker therefore live once per process and configuration (`_Shared`);
keeping them on the instance cost every page a new Redis connection and its handshake (1-2 ms),
and let each page wait out its own timeout during an outage.
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("madoguchi.cache")
T = TypeVar("T")
Version = int | None

# One warning per interval and process: an outage must not flood the log.
_WARN_EVERY_SECONDS = 30.0
_SKIP_AFTER_FAILURE_SECONDS = 5.0


class CacheSkippedError(RedisError):
    """Redis failed a moment ago; this call did not try it."""


class _ReusedClients(RedisCacheClient):
    """Django builds a new redis.Redis for every call, and each builds its table of reply
    handlers (about 0.3 ms); a client over a connection pool is thread-safe, so one per pool
    serves every call."""

    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


@dataclass
class _Shared:
    """One configured cache's state in this process, whichever instance uses it."""

    client: _ReusedClients
    skip_until: float = 0.0
    last_warning: float = -_WARN_EVERY_SECONDS


_shared: dict[str, _Shared] = {}
_shared_lock = threading.Lock()


@receiver(setting_changed)
def _forget_on_new_settings(*, setting: str, **_kwargs: object) -> None:
    # Tests point the cache at a proxy of their own: a port an earlier test used may come back.
    if setting == "CACHES":
        with _shared_lock:
            _shared.clear()


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # OPTIONS values must print alike in every request (numbers, strings): an object whose
        # repr names its address would make each request a new entry, and a new connection.
        key = repr((self._servers, sorted(self._options.items())))
        with _shared_lock:
            if key not in _shared:
                _shared[key] = _Shared(_ReusedClients(self._servers, **self._options))
            self._shared = _shared[key]

    @property
    def _cache(self) -> _ReusedClients:  # RedisCache builds one per instance
        return self._shared.client

    def _check_breaker(self) -> None:
        if time.monotonic() < self._shared.skip_until:
            raise CacheSkippedError("skipped after a recent failure")

    def _degraded(self, operation: str, exc: RedisError) -> None:
        now = time.monotonic()
        if isinstance(exc, CacheSkippedError):
            return
        shared = self._shared
        shared.skip_until = now + _SKIP_AFTER_FAILURE_SECONDS
        if now - shared.last_warning >= _WARN_EVERY_SECONDS:
            shared.last_warning = now
            logger.warning("Cache unavailable (%s failed: %s); serving without it", operation, exc)

    def available(self) -> bool:
        """Tell whether Redis answers now (one round trip, or none during the skip window)."""
        try:
            self._check_breaker()
            self.ping()
        except RedisError as exc:
            self._degraded("ping", exc)
            return False
        return True

    def ping(self) -> None:
        """Raise when Redis does not answer (for health checks); clears the skip on success."""
        self._cache.get_client(write=True).ping()
        self._shared.skip_until = 0.0

    def _guarded(self, fallback: T, operation: str, *args: Any) -> T:
        """Run RedisCache's `operation`; during an outage, or after a failure, answer `fallback`."""
        try:
            self._check_breaker()
            return getattr(super(), operation)(*args)
        except RedisError as exc:
            self._degraded(operation, exc)
            return fallback

    def get(self, key: str, default: Any = None, version: Version = None) -> Any:
        return self._guarded(default, "get", key, default, version)

    def get_many(self, keys: list[str], version: Version = None) -> dict[str, Any]:
        return self._guarded({}, "get_many", keys, version)

    def has_key(self, key: str, version: Version = None) -> bool:
        return self._guarded(False, "has_key", key, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Version = None
    ) -> None:
        self._guarded(None, "set", key, value, timeout, version)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: Version = None
    ) -> list[str]:
        return self._guarded(list(data), "set_many", data, timeout, version)  # keys not stored

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Version = None
    ) -> bool:
        return self._guarded(False, "add", key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Version = None) -> bool:
        return self._guarded(False, "touch", key, timeout, version)

    def delete(self, key: str, version: Version = None) -> bool:
        return self._guarded(False, "delete", key, version)

    def delete_many(self, keys: list[str], version: Version = None) -> None:
        self._guarded(None, "delete_many", keys, version)

    def clear(self) -> None:
        self._guarded(None, "clear")

    def incr(self, key: str, delta: int = 1, version: Version = None) -> int:
        counted = self._guarded(None, "incr", key, delta, version)
        if counted is None:  # a counter cannot fall back to a value: callers treat this as a miss
            raise ValueError(f"Key {key!r} could not be incremented: the cache is down")
        return counted
