"""send_mail_task against a real SMTP server: sent once, retried on 4xx, dead-lettered on 5xx."""

from collections.abc import Callable

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.core.jobs import effect_done, effect_message_id
from madoguchi.core.tasks import send_mail_task
from tests.support.smtp import RecordingHandler

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_task_backend")]
RunClaimed = Callable[..., DBTaskResult]
KEY = "mail:welcome:42"


def _enqueue_welcome_mail() -> str:
    return send_mail_task.enqueue(
        "welcome:42",
        subject="ようこそ Welcome",
        body="Hello Alice",
        to=["alice@example.com"],
        html="<p>Hello Alice</p>",
    ).id


def _replay(task_id: str) -> None:
    """Reset a finished task to READY, as a replay from a backup or a bad redelivery would."""
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.READY, finished_at=None, run_after=timezone.now()
    )


def test_mail_task_sends_one_mail_with_a_message_id_from_the_key(
    run_claimed: RunClaimed, smtp_server: RecordingHandler
) -> None:
    row = run_claimed(_enqueue_welcome_mail())

    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["To"] == "alice@example.com"
    assert sent["Subject"] == "ようこそ Welcome"
    assert sent["Message-ID"] == effect_message_id(KEY)
    assert sent.get_body(("html",)).get_content().strip() == "<p>Hello Alice</p>"
    assert row.return_value == effect_message_id(KEY)
    assert effect_done(KEY)


def test_replayed_mail_task_sends_no_second_mail(
    run_claimed: RunClaimed, smtp_server: RecordingHandler
) -> None:
    task_id = _enqueue_welcome_mail()

    first = run_claimed(task_id)
    _replay(task_id)
    second = run_claimed(task_id)

    assert (first.status, second.status) == (TaskResultStatus.SUCCESSFUL,) * 2
    assert len(smtp_server.messages) == 1


def test_mail_refused_with_5xx_goes_to_the_dead_letter(
    run_claimed: RunClaimed, smtp_server: RecordingHandler
) -> None:
    smtp_server.rcpt_reply = "550 5.1.1 No such user"

    row = run_claimed(_enqueue_welcome_mail())

    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "madoguchi.core.jobs.PermanentTaskError"
    assert not effect_done(KEY)


def test_mail_deferred_with_4xx_is_retried_and_then_delivered(
    run_claimed: RunClaimed, smtp_server: RecordingHandler
) -> None:
    smtp_server.data_reply = "451 4.3.0 Try again later"
    task_id = _enqueue_welcome_mail()

    deferred = run_claimed(task_id)
    smtp_server.data_reply = None
    DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now())
    delivered = run_claimed(task_id, worker_id="test-worker-2")

    assert deferred.exception_class_path == "smtplib.SMTPDataError"
    assert delivered.status == TaskResultStatus.SUCCESSFUL
    assert len(smtp_server.messages) == 1
