"""A worker that runs claimed tasks in the test process (a pytest plugin for every test)."""

from collections.abc import Callable

import pytest
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from madoguchi.core.management.commands.worker import Worker

RunClaimed = Callable[..., DBTaskResult]


@pytest.fixture
def run_claimed(db_task_backend: None) -> RunClaimed:
    """Return a function that claims a READY task as a worker would and runs it, in process.

    It goes through the production worker's run_task (retry policy included) but not its polling
    loop, which closes database connections and would end the test's transaction.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run(task_id: str, worker_id: str = "test-worker") -> DBTaskResult:
        row = DBTaskResult.objects.get(pk=task_id)
        assert row.status == TaskResultStatus.READY
        row.claim(worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        return row

    return run
