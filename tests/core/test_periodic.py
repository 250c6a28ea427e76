from datetime import UTC, datetime, timedelta

import pytest
from django.tasks import task

from madoguchi.core import periodic
from madoguchi.core.models import PeriodicRun

pytestmark = pytest.mark.django_db
RUNS: list[str] = []


@task()
def record_run_task() -> None:
    RUNS.append("ran")


@pytest.fixture
def hourly_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "_jobs", {})
    RUNS.clear()
    periodic.register("test.hourly", record_run_task, every=timedelta(hours=1))


def test_slots_are_aligned_periods() -> None:
    moment = datetime(2026, 11, 23, 10, 47, 12, tzinfo=UTC)

    assert periodic.slot_of(moment, timedelta(hours=1)) == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert periodic.slot_of(moment, timedelta(days=1)) == datetime(2026, 11, 23, tzinfo=UTC)


@pytest.mark.usefixtures("hourly_job")
def test_a_slot_runs_once_however_many_workers_ask() -> None:
    now = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)

    first = periodic.enqueue_due(now)
    second = periodic.enqueue_due(now + timedelta(minutes=30))
    next_hour = periodic.enqueue_due(now + timedelta(hours=1))

    assert (first, second, next_hour) == (["test.hourly"], [], ["test.hourly"])
    assert RUNS == ["ran", "ran"]


@pytest.mark.usefixtures("hourly_job")
def test_a_failed_enqueue_leaves_the_slot_free_for_the_next_beat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database hiccup")

    with monkeypatch.context() as patched:
        patched.setattr(type(record_run_task), "enqueue", broken)
        with pytest.raises(RuntimeError):
            periodic.enqueue_due(now)

    assert not PeriodicRun.objects.exists()
    assert periodic.enqueue_due(now) == ["test.hourly"]


@pytest.mark.usefixtures("hourly_job")
def test_old_claims_are_forgotten() -> None:
    now = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    periodic.enqueue_due(now - timedelta(days=30))

    periodic.enqueue_due(now)

    assert list(PeriodicRun.objects.values_list("slot", flat=True)) == [
        datetime(2026, 11, 23, 10, tzinfo=UTC)
    ]


def test_the_apps_register_their_jobs() -> None:
    names = {job.name for job in periodic.jobs()}

    assert {"accounts.purge", "accounts.data_exports_purge", "tickets.close_solved"} <= names


def test_jobs_run_at_most_once_a_minute() -> None:
    with pytest.raises(ValueError):
        periodic.register("too.often", record_run_task, every=timedelta(seconds=5))
