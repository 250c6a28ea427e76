from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.tasks.base import TaskResultStatus
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.core.admin import TaskResultAdmin
from madoguchi.core.models import WorkerHeartbeat
from tests.support.tasks import (
    add,
    fail_permanently,
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


CHANGELIST = "admin:django_tasks_database_dbtaskresult_changelist"


def test_task_admin_lists_attempts_and_filters_on_status(
    admin_client: Client, run_claimed: RunClaimed
) -> None:
    run_claimed(fail_permanently.enqueue("boom").id)

    response = admin_client.get(reverse(CHANGELIST), {"status__exact": "FAILED"})

    assert response.status_code == 200
    assert "fail_permanently" in response.text
    assert "column-attempts" in response.text
    assert "Retry selected failed tasks" in response.text


def test_admin_action_retries_the_selected_failed_tasks(
    admin_client: Client, run_claimed: RunClaimed
) -> None:
    failed = run_claimed(fail_permanently.enqueue("boom").id)
    done = run_claimed(add.enqueue(1, 2).id)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "retry_failed", "_selected_action": [str(failed.pk), str(done.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, done.status) == (READY, SUCCESSFUL)
    assert "1 task was sent back to the queue." in response.text


def test_retry_action_needs_the_change_permission(django_user_model: type) -> None:
    viewer = django_user_model.objects.create_user("agent@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_dbtaskresult"))
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.get(pk=viewer.pk)
    model_admin = TaskResultAdmin(DBTaskResult, admin.site)

    assert "retry_failed" not in model_admin.get_actions(request)


def test_heartbeat_admin_lists_workers_read_only(admin_client: Client) -> None:
    _beat("worker-7", seen_at=timezone.now())

    listing = admin_client.get(reverse("admin:core_workerheartbeat_changelist"))
    adding = admin_client.get(reverse("admin:core_workerheartbeat_add"))

    assert listing.status_code == 200
    assert "worker-7" in listing.text
    assert adding.status_code == 403
