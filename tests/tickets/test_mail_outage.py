"""F8: a customer's request never fails because the mail server is down; the mail follows later."""

import pytest
from django.tasks.base import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.accounts.models import User
from madoguchi.tickets.models import RequestType, Ticket
from tests.support.smtp import RecordingHandler
from tests.support.worker import RunClaimed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_task_backend")]


def _submit(client: Client, request_type: RequestType) -> Ticket:
    url = reverse("tickets:submit", args=[request_type.pk])
    response = client.post(url, {"subject": "Broken hinge", "description": "It snapped."})
    assert response.status_code == 302
    return Ticket.objects.get(subject="Broken hinge")


def _mail_task(run_claimed: RunClaimed) -> DBTaskResult:
    """Let the worker write the confirmation; return the task that sends it."""
    (writing,) = DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.write_mails_task")
    assert run_claimed(writing.pk).status == TaskResultStatus.SUCCESSFUL
    return DBTaskResult.objects.get(task_path="madoguchi.core.tasks.send_mail_task")


def test_a_request_is_taken_while_smtp_defers_and_its_mail_goes_out_after(
    client: Client,
    alice: User,
    request_type: RequestType,
    smtp_server: RecordingHandler,
    run_claimed: RunClaimed,
) -> None:
    smtp_server.data_reply = "421 4.3.2 Service shutting down"
    client.force_login(alice)

    ticket = _submit(client, request_type)
    deferred = run_claimed(_mail_task(run_claimed).pk)

    assert deferred.status == TaskResultStatus.READY  # Waiting for its retry.
    assert smtp_server.messages == []
    smtp_server.data_reply = None
    DBTaskResult.objects.filter(pk=deferred.pk).update(run_after=timezone.now())
    delivered = run_claimed(deferred.pk)
    assert delivered.status == TaskResultStatus.SUCCESSFUL
    (sent,) = smtp_server.messages
    assert ticket.number in sent["Subject"]


def test_a_request_is_taken_with_no_mail_server_at_all(
    client: Client, alice: User, request_type: RequestType, settings, run_claimed: RunClaimed
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # Nothing listens.
        }
    }
    client.force_login(alice)

    ticket = _submit(client, request_type)
    attempt = run_claimed(_mail_task(run_claimed).pk)

    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert attempt.status == TaskResultStatus.READY
    assert attempt.run_after > timezone.now()


def test_a_mail_refused_for_good_is_kept_as_failed_for_admins(
    client: Client,
    alice: User,
    request_type: RequestType,
    smtp_server: RecordingHandler,
    run_claimed: RunClaimed,
) -> None:
    smtp_server.rcpt_reply = "550 5.1.1 No such user"
    client.force_login(alice)

    _submit(client, request_type)
    failed = run_claimed(_mail_task(run_claimed).pk)

    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "madoguchi.core.jobs.PermanentTaskError"
