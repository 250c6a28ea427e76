"""Tell the admins that mail is waiting in quarantine, at most once an hour (a loop or a flood
of refused mail must not become a flood of notices)."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from madoguchi.accounts.models import User
from madoguchi.core.jobs import effect_once
from madoguchi.core.mail import enqueue_mail
from madoguchi.core.periodic import slot_of
from madoguchi.tickets.models import InboundMail

NOTICE_EVERY = timedelta(hours=1)


def quarantine_notice_enqueue() -> None:
    """Queue a notice to every active admin, unless one was queued in this hour.

    Call inside the transaction that quarantined the mail: the claim and the mail commit with it.
    """
    slot = slot_of(timezone.now(), NOTICE_EVERY)
    if not effect_once(f"tickets.inbound.quarantine-notice:{slot:%Y%m%d%H}"):
        return
    count = InboundMail.objects.filter(status=InboundMail.Status.QUARANTINED).count()
    url = settings.SITE_URL + reverse("admin:tickets_inboundmail_changelist")
    admins = User.objects.filter(is_superuser=True, is_active=True).order_by("pk")
    for admin in admins:
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            context = {"count": count, "url": f"{url}?status__exact=quarantined"}
            subject = render_to_string("tickets/email/inbound_quarantine_subject.txt", context)
            body = render_to_string("tickets/email/inbound_quarantine_message.txt", context)
        notice = EmailMessage(
            subject=subject.strip(),
            body=body,
            to=[admin.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        enqueue_mail(notice, idempotency_key=f"inbound-quarantine-{slot:%Y%m%d%H}-{admin.pk}")
