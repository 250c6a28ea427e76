import contextvars
import logging

import pytest
from django.core.cache import caches

from madoguchi.core import cache as cache_module
from madoguchi.core.cache import ResilientRedisCache
from tests.support.faultproxy import FaultProxy, redis_port

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> FaultProxy:
    # A later test's proxy may get the port of an earlier one: its cache must start afresh.
    monkeypatch.setattr(cache_module, "_shared", {})
    with FaultProxy(redis_port()) as proxy:
        yield proxy


def cache_through(proxy: FaultProxy) -> ResilientRedisCache:
    return ResilientRedisCache(f"redis://{proxy.url}/15", {"OPTIONS": OPTIONS})


@pytest.fixture
def proxied_cache(proxy: FaultProxy) -> tuple[ResilientRedisCache, FaultProxy]:
    return cache_through(proxy), proxy


def test_reads_and_writes_through_redis_when_it_answers(proxied_cache) -> None:
    cache, _proxy = proxied_cache

    cache.set("resilient:key", {"a": 1}, 10)

    assert cache.get("resilient:key") == {"a": 1}
    cache.ping()


@pytest.mark.parametrize("mode", ["down", "blackhole"])
def test_outage_turns_reads_into_misses_and_writes_into_no_ops(
    proxied_cache, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache, proxy = proxied_cache
    proxy.mode = mode

    with caplog.at_level(logging.WARNING, logger="madoguchi.cache"):
        assert cache.get("resilient:key", "fallback") == "fallback"
        cache.set("resilient:key", "value", 10)
        assert cache.add("resilient:key", "value", 10) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("resilient:key") is False
        assert cache.set_many({"a": 1, "b": 2}, 10) == ["a", "b"]
        assert cache.has_key("a") is False
        assert cache.touch("a", 10) is False
        cache.delete_many(["a", "b"])
        cache.clear()
        with pytest.raises(ValueError, match="cache is down"):
            cache.incr("resilient:counter")

    assert [r.getMessage() for r in caplog.records if "Cache unavailable" in r.getMessage()]
    assert len(caplog.records) == 1, "an outage is logged once, not once per call"


def test_after_a_failure_redis_is_skipped_for_a_moment(proxied_cache) -> None:
    cache, proxy = proxied_cache
    proxy.mode = "blackhole"
    cache.get("resilient:key")
    tried = proxy.connections

    for _ in range(5):
        assert cache.get("resilient:key") is None

    assert proxy.connections == tried


def test_ping_still_raises_during_an_outage(proxied_cache) -> None:
    cache, proxy = proxied_cache
    proxy.mode = "down"
    cache.get("resilient:key")

    with pytest.raises(Exception, match=r"(?i)connection|reset|closed"):
        cache.ping()


def test_one_client_serves_every_call_and_reconnects(proxied_cache) -> None:
    cache, _proxy = proxied_cache
    cache.set("resilient:key", 1, 10)
    client = cache._cache.get_client(write=True)

    client.connection_pool.disconnect()

    assert cache.get("resilient:key") == 1
    assert cache._cache.get_client(write=True) is client


def test_every_instance_of_one_cache_shares_the_connection_and_the_breaker(proxy) -> None:
    first, second = cache_through(proxy), cache_through(proxy)

    first.set("resilient:key", 1, 10)
    assert second.get("resilient:key") == 1
    assert proxy.connections == 1

    proxy.mode = "blackhole"
    first._cache.get_client(write=True).connection_pool.disconnect()
    assert first.get("resilient:key") is None
    tried = proxy.connections
    assert second.get("resilient:key") is None
    assert proxy.connections == tried, "the other instance skips Redis after the failure too"


def caches_through(proxy: FaultProxy) -> dict[str, dict[str, object]]:
    return {
        "default": {
            "BACKEND": "madoguchi.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://{proxy.url}/15",
            "OPTIONS": OPTIONS,
        }
    }


def test_a_request_in_a_fresh_context_reuses_the_process_connection(proxy, settings) -> None:
    # Django keeps a cache object per context and a2wsgi serves each request in a new one.
    settings.CACHES = caches_through(proxy)
    seen = []

    def one_request() -> None:
        seen.append(caches["default"])
        seen[-1].get("resilient:key")

    for _ in range(3):
        contextvars.Context().run(one_request)

    assert len({id(cache) for cache in seen}) == 3
    assert proxy.connections == 1


def test_new_cache_settings_start_without_the_old_breaker(proxy, settings) -> None:
    settings.CACHES = caches_through(proxy)
    proxy.mode = "blackhole"
    caches["default"].get("resilient:key")
    proxy.mode = "pass"
    tried = proxy.connections

    settings.CACHES = caches_through(proxy)  # as a later test whose proxy got the same port

    assert caches["default"].get("resilient:never-set", "miss") == "miss"
    assert proxy.connections == tried + 1
