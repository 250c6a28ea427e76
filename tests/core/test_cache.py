import logging

import pytest

from madoguchi.core.cache import ResilientRedisCache
from tests.support.faultproxy import FaultProxy, redis_port


@pytest.fixture
def proxied_cache() -> tuple[ResilientRedisCache, FaultProxy]:
    with FaultProxy(redis_port()) as proxy:
        cache = ResilientRedisCache(
            f"redis://{proxy.url}/15",
            {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
        )
        yield cache, proxy


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
