from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.core.models import WorkerHeartbeat
from tests.support.faultproxy import FaultProxy, redis_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_proxy(settings: object) -> Iterator[FaultProxy]:
    """Point the cache and the channel layer at Redis through a fault proxy."""
    with FaultProxy(redis_port()) as proxy:
        url = f"redis://{proxy.url}/15"
        settings.CACHES = {
            "default": {
                "BACKEND": "madoguchi.core.cache.ResilientRedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [
                        {"address": url, "socket_connect_timeout": 0.5, "socket_timeout": 0.5}
                    ]
                },
            }
        }
        yield proxy


def _beat(age_seconds: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1",
        hostname="test",
        pid=1,
        started_at=now,
        seen_at=now - timedelta(seconds=age_seconds),
    )


def test_healthy_with_a_fresh_worker_heartbeat(client: Client) -> None:
    _beat(age_seconds=1)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_stale_heartbeat_means_the_worker_is_down(client: Client) -> None:
    _beat(age_seconds=3600)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["status"] == "down"


def test_redis_through_the_proxy_is_healthy(client: Client, redis_proxy: FaultProxy) -> None:
    _beat(age_seconds=1)

    response = client.get("/healthz")

    assert response.json()["checks"]["cache"] == {"status": "ok"}
    assert response.json()["checks"]["channel_layer"] == {"status": "ok"}


@pytest.mark.parametrize("mode", ["down", "blackhole"])
def test_redis_down_or_blackholed_is_reported_not_hung(
    client: Client, redis_proxy: FaultProxy, mode: str
) -> None:
    _beat(age_seconds=1)
    redis_proxy.mode = mode

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["cache"]["status"] == "down"
    assert checks["channel_layer"]["status"] == "down"
    assert checks["cache"]["reason"]


def test_pages_keep_working_while_redis_is_down(
    client: Client, redis_proxy: FaultProxy, alice: object
) -> None:
    """Sessions live in the database, so a Redis outage signs nobody out."""
    redis_proxy.mode = "down"
    client.force_login(alice)

    response = client.get("/")

    assert response.status_code == 200
    assert "Alice Example" in response.content.decode()


def test_search_keeps_working_while_redis_is_down(client: Client, redis_proxy: FaultProxy) -> None:
    """Document frequencies are cached: storing them must not fail the search."""
    redis_proxy.mode = "down"

    assert client.get("/en/search/?q=printer+setup").status_code == 200
    assert client.get("/api/v1/search?q=printer").status_code == 200
