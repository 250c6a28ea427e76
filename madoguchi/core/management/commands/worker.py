"""`manage.py worker`: the production task worker.

django-tasks-db's db_worker loop and signal handling (SIGTERM or SIGINT: finish the current task,
then exit; a second signal forces the exit), plus what keeps jobs from being lost: a heartbeat, the
reaper of orphaned tasks and the retry policy of madoguchi.core.jobs. The options are db_worker's,
without autoreload, which could kill a task half-way.
"""

import logging
import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connections
from django.tasks.base import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from madoguchi.core import jobs as kernel
from madoguchi.core import periodic
from madoguchi.core.logging import request_id_var

logger = logging.getLogger("madoguchi.tasks")


class Worker(db_worker.Worker):
    """db_worker's loop, with the retry policy in place of its plain set_failed."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task, then record success, a retry or the dead letter."""
        extra = {
            "task_id": str(db_task_result.pk),
            "attempt": kernel.task_attempts(db_task_result),
            "task_path": db_task_result.task_path,
        }
        token = request_id_var.set(f"task-{db_task_result.pk}")
        self.running_task = True
        try:
            logger.info(
                "Task %s started, attempt %d", db_task_result.pk, extra["attempt"], extra=extra
            )
            return_value = self._call(db_task_result)
            # Inside the try: a result that cannot be stored (not JSON) is a failure of the task.
            self._record_success(db_task_result, return_value, extra)
        except BaseException as exc:
            self._record_failure(db_task_result, exc, extra)
        finally:
            self.running_task = False
            self._run_tasks += 1
            request_id_var.reset(token)

    def _call(self, db_task_result: DBTaskResult) -> Any:
        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        if task.takes_context:
            context = TaskContext(task_result=task_result)
            return task.call(context, *task_result.args, **task_result.kwargs)
        return task.call(*task_result.args, **task_result.kwargs)

    def _record_success(
        self, db_task_result: DBTaskResult, value: Any, extra: dict[str, Any]
    ) -> None:
        if kernel.task_record_success(db_task_result, value):
            logger.info("Task %s succeeded", db_task_result.pk, extra=extra)
            self._send_finished(db_task_result)
        else:
            logger.warning(
                "Task %s finished after the reaper took it back; this result is dropped",
                db_task_result.pk,
                extra=extra,
            )

    def _record_failure(
        self, db_task_result: DBTaskResult, exc: BaseException, extra: dict[str, Any]
    ) -> None:
        try:
            status = kernel.task_record_failure(db_task_result, exc)
        except DatabaseError:
            # The task may have left the connection broken (PostgreSQL restarted while it ran):
            # drop it if unusable, as Django does between requests, and record on a fresh one.
            close_old_connections()
            status = kernel.task_record_failure(db_task_result, exc)
        if status == TaskResultStatus.READY:
            logger.warning(
                "Task %s failed on attempt %d; retrying after %s",
                db_task_result.pk,
                extra["attempt"],
                db_task_result.run_after.isoformat(),
                exc_info=exc,
                extra=extra,
            )
        elif status == TaskResultStatus.FAILED:
            logger.error(
                "Task %s failed on attempt %d; moved to the dead letter",
                db_task_result.pk,
                extra["attempt"],
                exc_info=exc,
                extra=extra,
            )
            self._send_finished(db_task_result)
        else:
            logger.warning(
                "Task %s failed after the reaper took it back; this failure is dropped",
                db_task_result.pk,
                exc_info=exc,
                extra=extra,
            )

    def _send_finished(self, db_task_result: DBTaskResult) -> None:
        """Send task_finished for a task that reached SUCCESSFUL or FAILED (not for retries)."""
        try:
            sender = type(db_task_result.task.get_backend())
            task_result = db_task_result.task_result
        except (ImportError, SuspiciousOperation):
            return  # The task path no longer imports: nothing to tell about it.
        # Robust: the outcome is already stored, and a failing receiver must not turn it into a
        # failure of the task.
        for receiver, error in task_finished.send_robust(sender=sender, task_result=task_result):
            if isinstance(error, Exception):
                logger.error(
                    "A task_finished receiver failed for task %s",
                    db_task_result.pk,
                    exc_info=error,
                    extra={"task_id": str(db_task_result.pk), "receiver": repr(receiver)},
                )


class Heartbeat(threading.Thread):
    """Keep the worker's WorkerHeartbeat fresh, run the reaper and enqueue due periodic jobs,
    every TASK_HEARTBEAT_SECONDS.

    A thread of its own, so that a long task does not stop the beats, with its own database
    connection (Django's are per thread), closed when the thread ends. On a clean stop it
    re-queues any task the worker still holds and deletes the worker's heartbeat row.
    """

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.period = settings.TASK_HEARTBEAT_SECONDS
        self.first_beat = threading.Event()
        self._stopping = threading.Event()
        self._identity = {
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": timezone.now(),
        }

    def run(self) -> None:
        try:
            self.beat()
            self.first_beat.set()
            while not self._stopping.wait(self.period):
                self.beat()
            self._say_goodbye()
        finally:
            connections.close_all()

    def beat(self) -> None:
        """Record this worker as alive, take back the tasks of workers that are not, and
        enqueue the periodic jobs that are due."""
        try:
            kernel.worker_heartbeat_touch(worker_id=self.worker_id, **self._identity)
            kernel.tasks_reap_stale()
            periodic.enqueue_due()
        except Exception:
            # A dead heartbeat thread would make a live worker look dead, and its tasks run twice:
            # log, drop the connection (the database may be restarting) and beat again later.
            logger.exception("Heartbeat of worker %s failed", self.worker_id)
            connections.close_all()

    def _say_goodbye(self) -> None:
        try:
            kernel.tasks_release_worker(self.worker_id)
            kernel.worker_heartbeat_delete(self.worker_id)
        except Exception:
            logger.exception("Worker %s could not remove its heartbeat", self.worker_id)

    def stop(self) -> None:
        """Stop beating, release what the worker holds, and wait for the thread to end."""
        self._stopping.set()
        if self.is_alive():
            # Bounded: a goodbye that cannot finish in a lease is replaced by the reaper anyway.
            self.join(timeout=settings.TASK_LEASE_SECONDS)


class _WithoutReload:
    """Pass db_worker's options to the real parser, except --reload; all queues by default."""

    def __init__(self, parser: ArgumentParser) -> None:
        self._parser = parser

    def add_argument(self, *names: str, **kwargs: Any) -> Any:
        if "--reload" in names:
            return None
        if "--queue-name" in names:
            # Every queue unless told otherwise: a worker started plainly must also send mail.
            kwargs["default"] = "*"
        return self._parser.add_argument(*names, **kwargs)


class Command(db_worker.Command):
    help = (
        "Run the task worker: heartbeats, re-queues tasks of dead workers, retries failed tasks "
        "with backoff. SIGTERM finishes the current task, then exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(cast(ArgumentParser, _WithoutReload(parser)))

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        levels = {0: logging.CRITICAL, 1: logging.INFO}
        logger.setLevel(levels.get(verbosity, logging.DEBUG))

    def handle(self, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        worker = self._worker(options)
        if settings.TASK_LEASE_SECONDS < 2 * settings.TASK_HEARTBEAT_SECONDS:
            logger.warning(
                "TASK_LEASE_SECONDS (%d) is under twice TASK_HEARTBEAT_SECONDS (%d): a slow "
                "heartbeat can make a live worker's task run twice",
                settings.TASK_LEASE_SECONDS,
                settings.TASK_HEARTBEAT_SECONDS,
            )
        heartbeat = Heartbeat(worker.worker_id)
        worker.configure_signals()
        try:
            heartbeat.start()
            # A task claimed before the first beat would only be protected by its started_at.
            heartbeat.first_beat.wait(timeout=settings.TASK_LEASE_SECONDS)
            worker.run()
        finally:
            heartbeat.stop()

    def _worker(self, options: dict[str, Any]) -> Worker:
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        return Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
