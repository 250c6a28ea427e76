"""Outgoing mail goes through the task queue, so SMTP being down never fails the caller."""

import uuid
from collections.abc import Sequence

from django.core.mail import EmailMessage

from madoguchi.core.later_mail import LaterMail, message_fields, serialised
from madoguchi.core.tasks import send_mail_task, write_mails_task


def enqueue_mail(message: EmailMessage, *, idempotency_key: str | None = None) -> None:
    """Queue a rendered message for the worker.

    The task row is written in the caller's transaction: if the caller rolls back, no mail goes.
    """
    send_mail_task.enqueue(idempotency_key or uuid.uuid4().hex, **message_fields(message))


def enqueue_later(mails: Sequence[LaterMail]) -> None:
    """Queue mails for the worker to write and send: one task row, in the caller's transaction.

    Nothing is rendered here; see madoguchi.core.later_mail.
    """
    if mails:
        write_mails_task.enqueue(serialised(mails))
