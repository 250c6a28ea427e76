"""Background tasks of the kernel: thin @task wrappers over madoguchi.core.jobs."""

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task

from madoguchi.core import idempotency, later_mail
from madoguchi.core.jobs import PermanentTaskError, effect_done, effect_message_id, effect_record

logger = logging.getLogger("madoguchi.tasks")


def _smtp_rejected_for_good(exc: smtplib.SMTPException) -> bool:
    """Tell whether the SMTP server refused with a 5xx reply, which a retry cannot change."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


@task(queue_name=settings.MAIL_QUEUE)
def send_mail_task(  # noqa: PLR0913  (the parts of one message)
    idempotency_key: str,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> str:
    """Send one email at most once per idempotency key; return its Message-ID.

    The key is recorded (EffectRecord "mail:<key>") after a successful send, so a retry or replay
    sends nothing. If the worker dies between the send and the record, the copy sent by the retry
    has the same Message-ID, derived from the key, for receivers that drop duplicates. An SMTP 5xx
    reply goes straight to the dead letter; other failures are retried with backoff.
    """
    key = f"mail:{idempotency_key}"
    message_id = effect_message_id(key)
    if effect_done(key):
        logger.info("Mail %s was already sent; not sending it again", message_id)
        return message_id
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=to,
        from_email=from_email,
        headers={**(headers or {}), "Message-ID": message_id},
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPException as exc:
        if _smtp_rejected_for_good(exc):
            raise PermanentTaskError(f"The mail server refused mail {message_id}") from exc
        raise
    effect_record(key)
    return message_id


@task(queue_name=settings.MAIL_QUEUE)
def write_mails_task(entries: list[dict[str, Any]]) -> int:
    """Write mails queued by enqueue_later and queue each one's send; return how many.

    The mails are rendered first, outside the transaction (on SQLite it would hold the one write
    lock that web requests wait for), then their sends are queued together or not at all; a
    retry writes them again under the same keys, and send_mail_task sends each key once.
    """
    written = list(later_mail.written(entries))
    with transaction.atomic():
        for key, message in written:
            send_mail_task.enqueue(key, **later_mail.message_fields(message))
    return len(written)


@task()
def idempotency_keys_purge_task() -> int:
    """Forget Idempotency-Keys older than a day (every few hours)."""
    return idempotency.purge_expired()
