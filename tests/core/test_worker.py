import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from madoguchi.core.mail import enqueue_mail
from madoguchi.core.management.commands.worker import Heartbeat
from madoguchi.core.models import WorkerHeartbeat
from tests.support.processes import child_environment
from tests.support.smtp import RecordingHandler
from tests.support.tasks import add, effect_then_wait, fail_always, write_marker

DEADLINE_SECONDS = 60.0
# The run_claimed fixture (tests/core/conftest.py): claim a READY task and run it in process.
RunClaimed = Callable[..., DBTaskResult]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


# In process --------------------------------------------------------------------------------------


def test_worker_has_no_autoreload(db_task_backend: None) -> None:
    with pytest.raises(CommandError, match="--reload"):
        call_command("worker", "--reload")


@pytest.mark.django_db
def test_task_log_records_carry_the_task_id_and_attempt(
    run_claimed: RunClaimed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="madoguchi.tasks")
    task_id = fail_always.enqueue("boom").id

    run_claimed(task_id)

    records = [record for record in caplog.records if record.name == "madoguchi.tasks"]
    assert [record.levelname for record in records] == ["INFO", "WARNING"]
    assert all(record.task_id == task_id for record in records)
    assert all(record.attempt == 1 for record in records)
    assert records[1].exc_info is not None


@pytest.mark.django_db
def test_failing_finished_receiver_does_not_fail_the_task(
    run_claimed: RunClaimed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="madoguchi.tasks")

    def broken_receiver(**kwargs: object) -> None:
        raise RuntimeError("a bug in a receiver")

    task_finished.connect(broken_receiver)
    try:
        row = run_claimed(add.enqueue(1, 2).id)
    finally:
        task_finished.disconnect(broken_receiver)

    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 3
    messages = [
        record.getMessage() for record in caplog.records if record.name == "madoguchi.tasks"
    ]
    assert messages[-2:] == [
        f"Task {row.pk} succeeded",
        f"A task_finished receiver failed for task {row.pk}",
    ]


@pytest.mark.django_db
def test_heartbeat_records_the_worker_and_reaps(run_claimed: RunClaimed) -> None:
    orphan = DBTaskResult.objects.get(pk=add.enqueue(1, 2).id)
    orphan.claim("killed")
    DBTaskResult.objects.filter(pk=orphan.pk).update(
        started_at=orphan.started_at - timedelta(seconds=settings.TASK_LEASE_SECONDS + 1)
    )
    heartbeat = Heartbeat("w-beat")

    heartbeat.beat()
    first = WorkerHeartbeat.objects.get(pk="w-beat")
    heartbeat.beat()
    second = WorkerHeartbeat.objects.get(pk="w-beat")

    assert (first.pid, first.hostname) == (os.getpid(), socket.gethostname()[:255])
    assert second.started_at == first.started_at
    assert second.seen_at >= first.seen_at
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_removes_its_row_on_a_clean_stop() -> None:
    heartbeat = Heartbeat("w-thread")
    heartbeat.start()
    try:
        assert heartbeat.first_beat.wait(DEADLINE_SECONDS)
        assert WorkerHeartbeat.objects.filter(pk="w-thread").exists()
    finally:
        heartbeat.stop()

    assert not heartbeat.is_alive()
    assert not WorkerHeartbeat.objects.exists()


# Real worker processes ---------------------------------------------------------------------------


class WorkerProcesses:
    """Start `manage.py worker` processes on the test database; kill what is left at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        environment = child_environment(**(env or {}))
        command = [sys.executable, "manage.py", "worker", "--interval", "0.1"]
        log = (self.log_dir / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [*command, "--no-startup-delay", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("worker-*.log")))

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Poll `condition` until it holds; fail with the workers' logs after the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out waiting for {what}. Worker logs:\n{self.logs()}")
            time.sleep(0.05)

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait()


@pytest.fixture
def workers(tmp_path: Path, db_task_backend: None) -> Iterator[WorkerProcesses]:
    processes = WorkerProcesses(tmp_path)
    try:
        yield processes
    finally:
        processes.kill_all()


def _status(task_id: str) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_of_a_killed_worker_runs_again_and_its_effect_happens_once(
    workers: WorkerProcesses, tmp_path: Path
) -> None:
    """F1: SIGKILL mid-task leaves the row RUNNING; another worker's reaper re-runs it."""
    started, release, ledger = tmp_path / "started", tmp_path / "release", tmp_path / "ledger"
    task_id = effect_then_wait.enqueue(
        "order:7:confirm", str(ledger), str(started), str(release)
    ).id

    first = workers.start()
    workers.wait_for(lambda: len(_lines(started)) == 1, "the task to start")
    first.send_signal(signal.SIGKILL)
    first.wait()

    assert _status(task_id) == TaskResultStatus.RUNNING
    release.touch()
    workers.start(
        env={"MADOGUCHI_TASK_LEASE_SECONDS": "1", "MADOGUCHI_TASK_HEARTBEAT_SECONDS": "1"}
    )
    workers.wait_for(lambda: _status(task_id) == TaskResultStatus.SUCCESSFUL, "the task to finish")

    row = DBTaskResult.objects.get(pk=task_id)
    assert len(row.worker_ids) == 2
    assert row.worker_ids[0] != row.worker_ids[1]
    assert len(_lines(started)) == 2
    assert _lines(ledger) == ["order:7:confirm"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_running_task_finish_then_exits(
    workers: WorkerProcesses, tmp_path: Path
) -> None:
    """F2: a deploy's SIGTERM finishes the current task, leaves nothing RUNNING and says goodbye."""
    started, release, ledger = tmp_path / "started", tmp_path / "release", tmp_path / "ledger"
    task_id = effect_then_wait.enqueue(
        "order:8:confirm", str(ledger), str(started), str(release)
    ).id

    worker = workers.start()
    workers.wait_for(lambda: len(_lines(started)) == 1, "the task to start")
    assert WorkerHeartbeat.objects.filter(pid=worker.pid).exists()
    worker.send_signal(signal.SIGTERM)
    release.touch()

    assert worker.wait(timeout=DEADLINE_SECONDS) == 0, workers.logs()
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 1
    assert not DBTaskResult.objects.running().exists()
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_enqueued_in_a_rolled_back_transaction_never_runs(
    workers: WorkerProcesses, tmp_path: Path
) -> None:
    """The task table is the transactional outbox: a rollback takes the task with it."""
    rolled_back, committed = tmp_path / "rolled-back", tmp_path / "committed"

    with pytest.raises(RuntimeError), transaction.atomic():
        write_marker.enqueue(str(rolled_back))
        raise RuntimeError("the request failed")

    assert not DBTaskResult.objects.exists()
    # A committed task shows that the batch worker does run what exists.
    write_marker.enqueue(str(committed))
    batch = workers.start("--batch")
    assert batch.wait(timeout=DEADLINE_SECONDS) == 0, workers.logs()
    assert committed.exists()
    assert not rolled_back.exists()
    # The worker's heartbeat also enqueues the periodic jobs; this test's task is the marker.
    marker = DBTaskResult.objects.get(task_path__endswith=".write_marker")
    assert marker.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_started_plainly_serves_the_mail_queue_too(
    workers: WorkerProcesses, smtp_server: RecordingHandler
) -> None:
    enqueue_mail(EmailMessage(subject="Queued", to=["mika@example.com"]))
    (queued,) = DBTaskResult.objects.all()
    assert queued.queue_name == settings.MAIL_QUEUE
    port = str(settings.MAILERS["default"]["OPTIONS"]["port"])

    batch = workers.start("--batch", env={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": port})

    assert batch.wait(timeout=DEADLINE_SECONDS) == 0, workers.logs()
    assert [sent["Subject"] for sent in smtp_server.messages] == ["Queued"]
