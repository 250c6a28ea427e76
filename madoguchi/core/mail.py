"""Outgoing mail goes through the task queue, so SMTP being down never fails the caller."""

import uuid

from django.core.mail import EmailMessage, EmailMultiAlternatives

from madoguchi.core.tasks import send_mail_task


def enqueue_mail(message: EmailMessage, *, idempotency_key: str | None = None) -> None:
    """Queue a rendered message for the worker.

    The task row is written in the caller's transaction: if the caller rolls back, no mail goes.
    """
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            None,
        )
    send_mail_task.enqueue(
        idempotency_key or uuid.uuid4().hex,
        subject=str(message.subject),
        body=str(message.body),
        to=[str(address) for address in message.to],
        html=html,
        from_email=message.from_email,
        headers={str(k): str(v) for k, v in message.extra_headers.items()},
    )
