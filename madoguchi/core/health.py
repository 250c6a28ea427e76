"""Health checks: is each part the portal needs answering, and if not, why."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from madoguchi.core.models import WorkerHeartbeat

CHANNEL_TIMEOUT_SECONDS = 1.0


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_cache() -> str | None:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    return None if value == "ok" else "the cache did not return what was written"


async def _channel_round_trip() -> bool:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), CHANNEL_TIMEOUT_SECONDS)
    return message.get("type") == "healthz.ping"


def check_channel_layer() -> str | None:
    ok = async_to_sync(_channel_round_trip)()
    return None if ok else "the channel layer returned another message"


def check_worker() -> str | None:
    stale_after = timedelta(seconds=3 * settings.TASK_HEARTBEAT_SECONDS)
    fresh = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - stale_after)
    if fresh.exists():
        return None
    return f"no task worker has sent a heartbeat in {int(stale_after.total_seconds())} s"


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "worker": check_worker,
}


def run_checks() -> dict[str, dict[str, str]]:
    """Run every check; a check that raises is down, with the exception as its reason."""
    results = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        results[name] = {"status": "down", "reason": problem} if problem else {"status": "ok"}
    return results
