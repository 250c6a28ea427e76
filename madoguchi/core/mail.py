"""Outgoing mail goes through the task queue, so SMTP being down never fails the caller."""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import EmailMessage

from madoguchi.core.later_mail import LaterMail, message_fields, serialised
from madoguchi.core.tasks import send_mail_task, write_mails_task


def enqueue_mail(message: EmailMessage, *, idempotency_key: str | None = None) -> None:
    """Queue a rendered message for the worker.

    The task row is written in the caller's transaction: if the caller rolls back, no mail goes.
    """
    send_mail_task.enqueue(idempotency_key or uuid.uuid4().hex, **message_fields(message))


_gathered: ContextVar[list[LaterMail] | None] = ContextVar("mails_gathered", default=None)


def enqueue_later(mails: Sequence[LaterMail]) -> None:
    """Queue mails for the worker to write and send: one task row, in the caller's transaction
    (inside mails_together: one row for the whole block).

    Nothing is rendered here; see madoguchi.core.later_mail.
    """
    gathered = _gathered.get()
    if gathered is not None:
        gathered.extend(mails)
    elif mails:
        write_mails_task.enqueue(serialised(mails))


@contextmanager
def mails_together() -> Iterator[None]:
    """Queue the mails of every enqueue_later in the block as one task row when the block ends.

    Use it inside the transaction (`with transaction.atomic(), mails_together():`), so the row
    is written before the commit and goes with a rollback; nothing is queued if the block
    raises. A block inside another adds to the outer one.
    """
    if _gathered.get() is not None:
        yield
        return
    gathered: list[LaterMail] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    enqueue_later(gathered)
