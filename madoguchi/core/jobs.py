"""Job kernel: retries with backoff, a dead letter, a reaper of orphaned tasks, and side effects
that happen once.

django-tasks-db runs a task once, and leaves it RUNNING forever if its worker dies. The production
worker (`manage.py worker`) uses these helpers so that no job is lost:

- a task that raises is re-queued with exponential backoff until TASK_MAX_ATTEMPTS; then it is
  FAILED, which is the dead letter, and an admin can send it back with task_retry();
- a RUNNING task whose worker stopped sending heartbeats is re-queued by tasks_reap_stale();
- delivery is therefore at least once, so a task guards its side effects with effect_once() (writes
  to this database) or sends a stable id from effect_stable_id() (mail, webhooks).

Attempts are len(DBTaskResult.worker_ids): every claim by a worker appends the worker's id. The
claim's started_at is the fencing token: a worker that lost its claim to the reaper cannot
overwrite the row with a late result.
"""

import logging
import random
from datetime import datetime, timedelta
from email.utils import parseaddr
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, retry

from madoguchi.core.models import EffectRecord, WorkerHeartbeat

logger = logging.getLogger("madoguchi.tasks")

MAX_BACKOFF_SECONDS = 6 * 60 * 60
JITTER = 0.2
# A heartbeat this old belongs to a worker killed long ago; its tasks were taken back long since.
HEARTBEAT_FORGET_AFTER = timedelta(days=1)
EFFECT_KEY_MAX_LENGTH = EffectRecord._meta.get_field("key").max_length or 200

# Jitter only spreads retries out; SystemRandom keeps workers forked from one parent apart.
_jitter = random.SystemRandom()


class PermanentTaskError(Exception):
    """Raise from a task for a failure that a retry cannot fix: the task goes to the dead letter."""


class WorkerLostError(Exception):
    """Recorded on a task whose worker stopped (killed, or no heartbeat) while it held the task."""


WORKER_LOST_PATH = f"{WorkerLostError.__module__}.{WorkerLostError.__qualname__}"


# Retry policy ------------------------------------------------------------------------------------


def task_attempts(db_result: DBTaskResult) -> int:
    """Return how many times workers have claimed the task."""
    return len(db_result.worker_ids)


def task_backoff_seconds(attempt: int, *, base: float | None = None) -> float:
    """Return the delay before retrying a task whose attempt number `attempt` (from 1) failed.

    The delay is base * 2**(attempt - 1), capped at 6 h, then ±20 % jitter so that tasks which
    failed together (an SMTP outage) do not all retry together. The cap applies before the jitter,
    so capped retries are spread out too. `base` defaults to TASK_RETRY_BASE_SECONDS.
    """
    base = settings.TASK_RETRY_BASE_SECONDS if base is None else base
    # Past 2^32 every sane base is far beyond the cap; this keeps the float finite.
    exponent = min(max(attempt - 1, 0), 32)
    delay = min(base * 2**exponent, MAX_BACKOFF_SECONDS)
    return delay * _jitter.uniform(1 - JITTER, 1 + JITTER)


def _save_if_still_claimed(db_result: DBTaskResult, **fields: Any) -> bool:
    """Write `fields` only if the task is still RUNNING under the claim `db_result` holds.

    Once the reaper has re-queued the task, a new claim has a new started_at, so the late result
    of the lost claim changes nothing. Also updates `db_result` in memory on success.
    """
    claimed = DBTaskResult.objects.filter(
        pk=db_result.pk, status=TaskResultStatus.RUNNING, started_at=db_result.started_at
    )
    # A savepoint, so a value the database refuses (a return value that is not JSON) fails this
    # write alone and the failure can still be recorded, even inside a caller's transaction.
    with transaction.atomic(using=claimed.db):
        updated = claimed.update(**fields)
    if not updated:
        return False
    for name, value in fields.items():
        setattr(db_result, name, value)
    return True


def _error_fields(exc: BaseException) -> dict[str, Any]:
    return {
        "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "traceback": "".join(format_exception(exc)),
        "return_value": None,
    }


@retry()
def task_record_success(db_result: DBTaskResult, return_value: Any) -> bool:
    """Mark the claimed task SUCCESSFUL; return False if its claim was lost to the reaper.

    Locks: one UPDATE of the task row, fenced on RUNNING and the claim's started_at.
    """
    return _save_if_still_claimed(
        db_result,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at=timezone.now(),
        return_value=return_value,
        exception_class_path="",
        traceback="",
    )


@retry()
def task_record_failure(
    db_result: DBTaskResult, exc: BaseException, *, now: datetime | None = None
) -> TaskResultStatus | None:
    """Re-queue the claimed task after `exc` with backoff, or move it to the dead letter.

    PermanentTaskError, or a failure of attempt TASK_MAX_ATTEMPTS, makes the task FAILED. Anything
    else makes it READY again with run_after = now + backoff, keeping the exception class path and
    traceback on the row until the next run. An interruption that is not an Exception (SystemExit
    from a forced worker stop) re-queues without delay, since the task itself did not fail.
    Return the new status, or None if the claim was lost to the reaper (the row is left alone).
    Locks: one UPDATE of the task row, fenced on RUNNING and the claim's started_at.
    """
    now = now or timezone.now()
    attempts = task_attempts(db_result)
    fields = _error_fields(exc)
    if isinstance(exc, PermanentTaskError) or attempts >= settings.TASK_MAX_ATTEMPTS:
        fields.update(status=TaskResultStatus.FAILED, finished_at=now)
    else:
        delay = task_backoff_seconds(attempts) if isinstance(exc, Exception) else 0
        fields.update(status=TaskResultStatus.READY, run_after=now + timedelta(seconds=delay))
    return fields["status"] if _save_if_still_claimed(db_result, **fields) else None


def task_retry(task_id: str) -> bool:
    """Move a dead-lettered (FAILED) task back to READY to run now; return False if not FAILED.

    For admins. The task gets one more attempt: worker_ids keeps its history, so a task that had
    used up TASK_MAX_ATTEMPTS goes back to the dead letter if it fails again. The last error stays
    on the row until the next run. Locks: a single UPDATE … WHERE status = FAILED, so two admins
    retrying at once re-queue the task once.
    """
    retried = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None
    )
    if retried:
        logger.info("Task %s re-queued from the dead letter", task_id, extra={"task_id": task_id})
    return bool(retried)


# Reaper ------------------------------------------------------------------------------------------


def _last_worker(db_result: DBTaskResult) -> str:
    return db_result.worker_ids[-1] if db_result.worker_ids else ""


def _running_locked() -> list[DBTaskResult]:
    """Return the RUNNING tasks, row-locked (FOR UPDATE SKIP LOCKED) where the database can."""
    return list(DBTaskResult.objects.running().select_for_update(skip_locked=True).order_by())


def _lease_expired(db_result: DBTaskResult, seen_at: datetime | None, cutoff: datetime) -> bool:
    if seen_at is not None:
        return seen_at <= cutoff
    # No heartbeat row: a worker about to write its first one, or a plain db_worker.
    return db_result.started_at is None or db_result.started_at < cutoff


def _take_back(rows: list[DBTaskResult], *, now: datetime, reason: str) -> int:
    """Re-queue each orphaned row to run now, or dead-letter it when its attempts are used up."""
    taken = 0
    for row in rows:
        worker_id = _last_worker(row)
        fields: dict[str, Any] = {
            "exception_class_path": WORKER_LOST_PATH,
            "traceback": f"{WORKER_LOST_PATH}: worker {worker_id or '?'} {reason}\n",
        }
        if task_attempts(row) >= settings.TASK_MAX_ATTEMPTS:
            fields.update(status=TaskResultStatus.FAILED, finished_at=now)
        else:
            fields.update(status=TaskResultStatus.READY, run_after=now)
        if _save_if_still_claimed(row, **fields):
            taken += 1
            logger.warning(
                "Task %s taken back from worker %s (%s): now %s",
                row.pk,
                worker_id,
                reason,
                fields["status"],
                extra={"task_id": str(row.pk), "attempt": task_attempts(row)},
            )
    return taken


def tasks_reap_stale(now: datetime | None = None) -> int:
    """Take back every RUNNING task whose worker has stopped; return how many were taken back.

    A task is stale when the heartbeat of its last worker (worker_ids[-1]) is not newer than
    now - TASK_LEASE_SECONDS, or, when that worker has no heartbeat row at all, when the task
    started longer ago than the lease. A stale task is re-queued to run now, or dead-lettered if its
    attempts are used up. A task whose worker is alive is never touched, however long it runs.
    Also forgets heartbeats not seen for a day. Called by every worker after each heartbeat.

    Locks, all in one transaction: on PostgreSQL, SELECT … FOR UPDATE SKIP LOCKED on the RUNNING
    task rows, so a concurrent reaper on another node skips them; on SQLite, BEGIN EXCLUSIVE, so the
    database write lock serialises reapers and workers. Each UPDATE is also fenced on status RUNNING
    and the claim's started_at, so a task re-queued and claimed again meanwhile is left alone.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    with exclusive_transaction(DBTaskResult.objects.db):
        rows = _running_locked()
        seen = dict(
            WorkerHeartbeat.objects.filter(
                worker_id__in={_last_worker(row) for row in rows}
            ).values_list("worker_id", "seen_at")
        )
        stale = [row for row in rows if _lease_expired(row, seen.get(_last_worker(row)), cutoff)]
        reason = f"sent no heartbeat within the {settings.TASK_LEASE_SECONDS} s lease"
        taken = _take_back(stale, now=now, reason=reason)
        WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_FORGET_AFTER).delete()
    return taken


def tasks_release_worker(worker_id: str, *, now: datetime | None = None) -> int:
    """Re-queue the RUNNING tasks still held by `worker_id`; return how many.

    Called by a worker on its way out, after its last task, so a task claimed just before a stop
    signal runs again at once instead of after the lease. Locks: as tasks_reap_stale().
    """
    now = now or timezone.now()
    with exclusive_transaction(DBTaskResult.objects.db):
        rows = [row for row in _running_locked() if _last_worker(row) == worker_id]
        return _take_back(rows, now=now, reason="exited while holding the task")


def worker_heartbeat_touch(
    *, worker_id: str, hostname: str, pid: int, started_at: datetime, now: datetime | None = None
) -> None:
    """Record that the worker is alive: insert its WorkerHeartbeat row, or move seen_at to now."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={
            "hostname": hostname,
            "pid": pid,
            "started_at": started_at,
            "seen_at": now,
        },
    )


def worker_heartbeat_delete(worker_id: str) -> None:
    """Remove the worker's heartbeat row: it is stopping cleanly and holds no task."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


# Side effects ------------------------------------------------------------------------------------


def _checked(key: str) -> str:
    if not key or len(key) > EFFECT_KEY_MAX_LENGTH:
        raise ValueError(f"An effect key needs 1 to {EFFECT_KEY_MAX_LENGTH} characters.")
    return key


def effect_once(key: str) -> bool:
    """Claim the side effect `key`: return True the first time, False on every later call.

    For effects that are writes to this database. Call it inside transaction.atomic(), together
    with the write it guards, and write only when it returns True:

        with transaction.atomic():
            if effect_once(f"ticket:{ticket_id}:sla-breach"):
                ...

    The claim commits or rolls back with the write, so a retried or replayed task writes once, and
    a run that failed before commit leaves the effect to the retry. External effects (mail,
    webhooks) cannot join the transaction: send them with effect_stable_id(key) as their id
    (Message-ID, webhook-id) so the receiver drops duplicates, and call effect_record(key) after
    the send succeeds, as send_mail_task does. Locks: the unique index on EffectRecord.key; a
    concurrent caller with the same key waits for the first transaction, then gets False.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "effect_once() must run inside transaction.atomic() with the write it guards."
        )
    with transaction.atomic():
        _, created = EffectRecord.objects.get_or_create(key=_checked(key))
    return created


def effect_done(key: str) -> bool:
    """Tell whether the side effect `key` has been recorded."""
    return EffectRecord.objects.filter(key=_checked(key)).exists()


def effect_record(key: str) -> None:
    """Record that the external side effect `key` has happened (after it succeeded)."""
    with transaction.atomic():
        EffectRecord.objects.get_or_create(key=_checked(key))


def effect_stable_id(key: str) -> str:
    """Return an opaque id for the side effect `key`, the same on every retry and replay.

    An HMAC of the key under SECRET_KEY, so the id does not reveal the key (which may hold an
    address or a ticket number).
    """
    digest = salted_hmac("madoguchi.core.jobs.effect", _checked(key), algorithm="sha256")
    return digest.hexdigest()[:32]


def effect_message_id(key: str) -> str:
    """Return the Message-ID header of the mail sent as side effect `key`."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "madoguchi.invalid"
    return f"<{effect_stable_id(key)}@{domain}>"
