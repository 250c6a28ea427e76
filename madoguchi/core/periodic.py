"""Jobs that run on a schedule (purges, closing solved requests, SLA checks).

Apps register a task and how often it runs. Every worker, on each heartbeat, enqueues the jobs
whose current time slot has not been claimed yet: the claim is a row with a unique (job, slot)
pair written in the same transaction as the task, so with many workers on many nodes each slot
runs once, and a slot whose enqueue failed is claimed again on the next beat.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from madoguchi.core.models import PeriodicRun

# Claims older than this are only history; the longest slot is a day.
KEEP_CLAIMS = timedelta(days=7)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    every: timedelta


_jobs: dict[str, PeriodicJob] = {}


def register(name: str, task: Task, *, every: timedelta) -> None:
    """Run task (which takes no arguments) once in every period of length every."""
    if not isinstance(task, Task):
        raise TypeError(f"{name}: a periodic job runs a @task, not {task!r}")
    if every < timedelta(minutes=1):
        raise ValueError("A periodic job runs at most once a minute")
    _jobs[name] = PeriodicJob(name=name, task=task, every=every)


def jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def slot_of(moment: datetime, every: timedelta) -> datetime:
    """Return the start of the period of length every that holds moment."""
    periods = (moment - _EPOCH) // every
    return _EPOCH + periods * every


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue each job whose current slot nobody has claimed; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in _jobs.values():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=job.name, slot=slot_of(now, job.every))
                job.task.enqueue()
        except IntegrityError:
            continue  # Another worker claimed this slot first.
        enqueued.append(job.name)
    PeriodicRun.objects.filter(slot__lt=now - KEEP_CLAIMS).delete()
    return enqueued
