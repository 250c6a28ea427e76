import math
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from madoguchi.core.jobs import (
    MAX_BACKOFF_SECONDS,
    WORKER_LOST_PATH,
    effect_done,
    effect_message_id,
    effect_once,
    effect_stable_id,
    task_attempts,
    task_backoff_seconds,
    task_record_failure,
    task_record_success,
    task_retry,
    tasks_reap_stale,
    tasks_release_worker,
)
from madoguchi.core.models import EffectRecord, WorkerHeartbeat
from tests.support.tasks import (
    add,
    effect_to_ledger,
    fail_always,
    fail_permanently,
    fail_until_attempt,
    return_unstorable,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_task_backend")]
# The run_claimed fixture (tests/core/conftest.py): claim a READY task and run it in process.
RunClaimed = Callable[..., DBTaskResult]

READY = TaskResultStatus.READY
RUNNING = TaskResultStatus.RUNNING
FAILED = TaskResultStatus.FAILED
SUCCESSFUL = TaskResultStatus.SUCCESSFUL


def _claim(task_id: str, worker_id: str) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=task_id)
    row.claim(worker_id)
    return row


def _beat(worker_id: str, *, seen_at: object) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="test", pid=1, started_at=seen_at, seen_at=seen_at
    )


def _replay(task_id: str) -> None:
    """Reset a finished task to READY, as a replay from a backup or a bad redelivery would."""
    DBTaskResult.objects.filter(pk=task_id).update(
        status=READY, finished_at=None, run_after=timezone.now()
    )


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


# Backoff -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("attempt", "expected"), [(1, 10), (2, 20), (3, 40), (6, 320)])
def test_backoff_doubles_with_each_attempt_within_20_percent_jitter(
    attempt: int, expected: int
) -> None:
    delays = [task_backoff_seconds(attempt, base=10) for _ in range(200)]

    assert all(expected * 0.8 <= delay <= expected * 1.2 for delay in delays)
    assert len(set(delays)) > 1


def test_backoff_is_capped_at_six_hours_before_the_jitter() -> None:
    delays = [task_backoff_seconds(attempt, base=10) for attempt in (20, 40, 10**6)]

    assert all(MAX_BACKOFF_SECONDS * 0.8 <= delay <= MAX_BACKOFF_SECONDS * 1.2 for delay in delays)
    assert all(math.isfinite(delay) for delay in delays)


def test_backoff_base_comes_from_the_setting(settings: Settings) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 3

    assert 3 * 0.8 <= task_backoff_seconds(1) <= 3 * 1.2


# Retry policy ------------------------------------------------------------------------------------


def test_failing_task_waits_for_its_backoff_and_keeps_its_error(
    run_claimed: RunClaimed, settings: Settings
) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 10
    result = fail_always.enqueue("smtp down")
    before = timezone.now()

    row = run_claimed(result.id)

    assert row.status == READY
    assert before + timedelta(seconds=8) <= row.run_after
    assert row.run_after <= timezone.now() + timedelta(seconds=12)
    assert row.exception_class_path == "tests.support.tasks.FlakyError"
    assert "smtp down" in row.traceback
    assert task_attempts(row) == 1
    assert not DBTaskResult.objects.ready().filter(pk=row.pk).exists()


def test_task_goes_to_the_dead_letter_after_max_attempts(
    run_claimed: RunClaimed, settings: Settings
) -> None:
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RETRY_BASE_SECONDS = 0
    result = fail_always.enqueue("boom")

    statuses = [run_claimed(result.id).status for _ in range(3)]

    assert statuses == [READY, READY, FAILED]
    result.refresh()
    assert result.status == FAILED
    assert result.attempts == 3
    assert result.finished_at is not None
    assert result.errors[0].exception_class_path == "tests.support.tasks.FlakyError"


def test_retry_that_succeeds_clears_the_error(run_claimed: RunClaimed, settings: Settings) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 0
    result = fail_until_attempt.enqueue(succeed_on=2)

    first = run_claimed(result.id)
    second = run_claimed(result.id)

    assert (first.status, second.status) == (READY, SUCCESSFUL)
    assert second.return_value == 2
    assert (second.exception_class_path, second.traceback) == ("", "")


def test_permanent_error_goes_straight_to_the_dead_letter(run_claimed: RunClaimed) -> None:
    result = fail_permanently.enqueue("no such customer")

    row = run_claimed(result.id)

    assert row.status == FAILED
    assert task_attempts(row) == 1
    assert row.exception_class_path == "madoguchi.core.jobs.PermanentTaskError"


def test_result_that_cannot_be_stored_is_a_failure(run_claimed: RunClaimed) -> None:
    result = return_unstorable.enqueue()

    row = run_claimed(result.id)

    assert row.status == READY
    assert row.exception_class_path == "builtins.TypeError"


def test_forced_stop_requeues_without_backoff(settings: Settings) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 3600
    row = _claim(add.enqueue(1, 2).id, "w1")
    now = timezone.now()

    status = task_record_failure(row, SystemExit(1), now=now)

    row.refresh_from_db()
    assert status == READY
    assert row.run_after == now


def test_late_result_of_a_claim_taken_back_changes_nothing() -> None:
    result = add.enqueue(1, 2)
    lost = _claim(result.id, "slow")
    later = lost.started_at + timedelta(hours=1)
    assert tasks_reap_stale(now=later) == 1
    _claim(result.id, "w2")

    assert task_record_success(lost, 3) is False
    assert task_record_failure(lost, RuntimeError("late")) is None

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == RUNNING
    assert row.worker_ids == ["slow", "w2"]


# Reaper ------------------------------------------------------------------------------------------


def test_reaper_requeues_the_task_of_a_worker_with_a_stale_heartbeat(
    settings: Settings,
) -> None:
    settings.TASK_LEASE_SECONDS = 60
    row = _claim(add.enqueue(1, 2).id, "dead")
    now = timezone.now()
    _beat("dead", seen_at=now - timedelta(seconds=61))

    assert tasks_reap_stale(now=now) == 1

    row.refresh_from_db()
    assert row.status == READY
    assert row.run_after == now
    assert row.exception_class_path == WORKER_LOST_PATH
    assert "dead" in row.traceback
    assert DBTaskResult.objects.ready().filter(pk=row.pk).exists()


def test_reaper_never_touches_the_task_of_a_live_worker(settings: Settings) -> None:
    settings.TASK_LEASE_SECONDS = 60
    row = _claim(add.enqueue(1, 2).id, "alive")
    now = row.started_at + timedelta(hours=5)
    _beat("alive", seen_at=now - timedelta(seconds=5))

    assert tasks_reap_stale(now=now) == 0

    row.refresh_from_db()
    assert row.status == RUNNING


def test_reaper_judges_by_the_last_worker_only(settings: Settings) -> None:
    settings.TASK_LEASE_SECONDS = 60
    result = add.enqueue(1, 2)
    first = _claim(result.id, "dead")
    assert tasks_reap_stale(now=first.started_at + timedelta(seconds=61)) == 1
    second = _claim(result.id, "alive")
    now = second.started_at + timedelta(hours=1)
    _beat("dead", seen_at=now - timedelta(hours=1))
    _beat("alive", seen_at=now)

    assert tasks_reap_stale(now=now) == 0


def test_reaper_gives_a_worker_without_heartbeat_one_lease(settings: Settings) -> None:
    settings.TASK_LEASE_SECONDS = 60
    row = _claim(add.enqueue(1, 2).id, "plain-db-worker")

    assert tasks_reap_stale(now=row.started_at + timedelta(seconds=30)) == 0
    assert tasks_reap_stale(now=row.started_at + timedelta(seconds=61)) == 1


def test_reaper_takes_a_task_back_once() -> None:
    row = _claim(add.enqueue(1, 2).id, "dead")
    later = row.started_at + timedelta(hours=1)

    assert [tasks_reap_stale(now=later), tasks_reap_stale(now=later)] == [1, 0]


def test_reaper_dead_letters_an_orphan_with_no_attempts_left(settings: Settings) -> None:
    settings.TASK_MAX_ATTEMPTS = 1
    row = _claim(add.enqueue(1, 2).id, "dead")
    later = row.started_at + timedelta(hours=1)

    assert tasks_reap_stale(now=later) == 1

    row.refresh_from_db()
    assert row.status == FAILED
    assert row.finished_at == later
    assert row.exception_class_path == WORKER_LOST_PATH


def test_reaper_forgets_heartbeats_older_than_a_day() -> None:
    now = timezone.now()
    _beat("long-gone", seen_at=now - timedelta(days=2))
    _beat("recent", seen_at=now - timedelta(hours=1))

    tasks_reap_stale(now=now)

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


def test_release_requeues_only_the_tasks_the_worker_holds() -> None:
    mine = _claim(add.enqueue(1, 2).id, "stopping")
    other = _claim(add.enqueue(3, 4).id, "busy")

    assert tasks_release_worker("stopping") == 1

    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, other.status) == (READY, RUNNING)


@pytest.mark.django_db(transaction=True)
def test_a_second_reaper_skips_tasks_another_reaper_holds() -> None:
    """On PostgreSQL, rows one reaper has locked are skipped, not re-queued twice."""
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; on SQLite the database lock serialises reapers")
    row = _claim(add.enqueue(1, 2).id, "dead")
    later = row.started_at + timedelta(hours=1)
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                list(DBTaskResult.objects.select_for_update().filter(pk=row.pk))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert tasks_reap_stale(now=later) == 0
    finally:
        release.set()
        holder.join()
    assert tasks_reap_stale(now=later) == 1


# Side effects ------------------------------------------------------------------------------------


def test_effect_once_is_true_only_the_first_time() -> None:
    with transaction.atomic():
        first = effect_once("ticket:1:sla-breach")
    with transaction.atomic():
        second = effect_once("ticket:1:sla-breach")

    assert (first, second) == (True, False)
    assert effect_done("ticket:1:sla-breach")


def test_effect_claim_rolls_back_with_its_write() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        assert effect_once("ticket:1:sla-breach")
        raise RuntimeError("the write failed")

    with transaction.atomic():
        assert effect_once("ticket:1:sla-breach")


@pytest.mark.django_db(transaction=True)
def test_effect_once_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(TransactionManagementError):
        effect_once("ticket:1:sla-breach")

    assert not EffectRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_effect_key_must_fit_its_column(key: str) -> None:
    with pytest.raises(ValueError, match="effect key"):
        effect_stable_id(key)


def test_stable_id_is_the_same_for_a_key_and_hides_it() -> None:
    key = "mail:alice@example.com:welcome"

    assert effect_stable_id(key) == effect_stable_id(key)
    assert effect_stable_id(key) != effect_stable_id(f"{key}!")
    assert "alice" not in effect_message_id(key)
    assert effect_message_id(key) == f"<{effect_stable_id(key)}@localhost>"


def test_replayed_task_does_its_database_effect_once(
    run_claimed: RunClaimed, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger"
    result = effect_to_ledger.enqueue("ticket:1:notice", str(ledger))

    first = run_claimed(result.id)
    _replay(result.id)
    second = run_claimed(result.id)

    assert (first.status, second.status) == (SUCCESSFUL, SUCCESSFUL)
    assert (first.return_value, second.return_value) == (True, False)
    assert _lines(ledger) == ["ticket:1:notice"]


# Dead letter: retry by an admin ------------------------------------------------------------------


def test_task_retry_sends_a_dead_letter_back_to_the_queue(run_claimed: RunClaimed) -> None:
    row = run_claimed(fail_permanently.enqueue("fixed since").id)

    assert task_retry(str(row.pk)) is True

    row.refresh_from_db()
    assert row.status == READY
    assert row.finished_at is None
    assert row.exception_class_path == "madoguchi.core.jobs.PermanentTaskError"
    assert DBTaskResult.objects.ready().filter(pk=row.pk).exists()


def test_task_retry_leaves_other_statuses_alone(run_claimed: RunClaimed) -> None:
    done = run_claimed(add.enqueue(1, 2).id)
    waiting = add.enqueue(3, 4)

    assert task_retry(str(done.pk)) is False
    assert task_retry(str(waiting.id)) is False
    done.refresh_from_db()
    assert done.status == SUCCESSFUL


def test_retried_dead_letter_gets_one_more_attempt(
    run_claimed: RunClaimed, settings: Settings
) -> None:
    settings.TASK_MAX_ATTEMPTS = 2
    settings.TASK_RETRY_BASE_SECONDS = 0
    task_id = fail_always.enqueue("boom").id
    run_claimed(task_id)
    run_claimed(task_id)

    task_retry(task_id)
    row = run_claimed(task_id)

    assert row.status == FAILED
    assert task_attempts(row) == 3
