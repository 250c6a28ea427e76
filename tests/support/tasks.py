"""Tasks for tests: importable by path, so a worker started in a subprocess can run them too."""

import os
import time
from pathlib import Path

from django.db import transaction
from django.tasks import TaskContext, task

from madoguchi.core.jobs import PermanentTaskError, effect_once

# A task blocked waiting for its release file gives up after this, so a broken test cannot leave
# a worker hanging forever.
WAIT_LIMIT_SECONDS = 60


class FlakyError(Exception):
    """A failure that a retry may fix."""


@task()
def add(a: int, b: int) -> int:
    """Return a + b."""
    return a + b


@task()
def fail_always(message: str) -> None:
    """Fail with FlakyError every time."""
    raise FlakyError(message)


@task()
def fail_permanently(message: str) -> None:
    """Fail with PermanentTaskError."""
    raise PermanentTaskError(message)


@task(takes_context=True)
def fail_until_attempt(context: TaskContext, succeed_on: int) -> int:
    """Fail with FlakyError until attempt `succeed_on`, then return the attempt number."""
    if context.attempt < succeed_on:
        raise FlakyError(f"attempt {context.attempt}")
    return context.attempt


@task()
def return_unstorable() -> object:
    """Return a value that JSON cannot store."""
    return object()


def _append_line(path: str, line: str) -> None:
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(f"{line}\n")


@task()
def write_marker(marker: str) -> None:
    """Append this process's pid to the file `marker`."""
    _append_line(marker, str(os.getpid()))


@task()
def effect_to_ledger(key: str, ledger: str) -> bool:
    """Append a line to `ledger` once per `key`, however often the task runs; say if it did."""
    with transaction.atomic():
        if not effect_once(key):
            return False
        _append_line(ledger, key)
    return True


@task()
def effect_then_wait(key: str, ledger: str, marker: str, release: str) -> int:
    """Do the effect `key` once, mark the start in `marker`, then wait for the file `release`.

    The effect comes before the wait so that a worker killed while waiting has done it, and the
    replay must skip it.
    """
    with transaction.atomic():
        if effect_once(key):
            _append_line(ledger, key)
    _append_line(marker, str(os.getpid()))
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not Path(release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{release} did not appear")
        time.sleep(0.05)
    return os.getpid()
