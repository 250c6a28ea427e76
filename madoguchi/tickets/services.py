"""Every write to requests: creating them, replying, and the status changes replies cause."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.accounts.models import Organisation, User
from madoguchi.branding.models import Brand
from madoguchi.core import markdown
from madoguchi.core.errors import DomainError
from madoguchi.core.mail import enqueue_mail
from madoguchi.tickets.models import Message, Priority, RequestType, Ticket


class RequestClosedError(DomainError):
    pass


@dataclass(frozen=True)
class NewRequest:
    brand: Brand
    requester: User
    subject: str
    description: str
    request_type: RequestType | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    via: str = Ticket.Via.WEB


def ticket_create(new: NewRequest) -> Ticket:
    """Open a request with its first message and queue the confirmation mail, in one transaction."""
    request_type = new.request_type
    organisation = _organisation_of(new.requester)
    needs_approval = bool(
        request_type and request_type.needs_organisation_approval and organisation
    )
    with transaction.atomic():
        ticket = Ticket.objects.create(
            brand=new.brand,
            request_type=request_type,
            subject=new.subject.strip(),
            requester=new.requester,
            organisation=organisation,
            department=request_type.department if request_type else None,
            priority=request_type.default_priority if request_type else Priority.NORMAL,
            approval=Ticket.Approval.PENDING if needs_approval else Ticket.Approval.NOT_NEEDED,
            answers=new.answers,
            via=new.via,
        )
        _message_add(ticket, author=new.requester, body=new.description, via=new.via)
        enqueue_mail(_confirmation_mail(ticket), idempotency_key=f"ticket-created-{ticket.pk}")
    return ticket


def reply_add(ticket: Ticket, *, author: User, body: str, via: str = Ticket.Via.WEB) -> Message:
    """Add a public reply; the requester's side replying reopens a pending or solved request.

    Locks the request row so that two replies cannot both decide the status.
    """
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Ticket.Status.CLOSED:
            raise RequestClosedError(
                _("This request is closed. To follow up, submit a new request.")
            )
        message = _message_add(locked, author=author, body=body, via=via)
        if not author.is_staff and locked.status in {Ticket.Status.PENDING, Ticket.Status.SOLVED}:
            locked.status = Ticket.Status.OPEN
            locked.solved_at = None
        locked.updated_at = message.created_at
        locked.save(update_fields=["status", "solved_at", "updated_at"])
    ticket.refresh_from_db()
    return message


def _message_add(ticket: Ticket, *, author: User, body: str, via: str) -> Message:
    return Message.objects.create(
        ticket=ticket, author=author, body=body, body_html=markdown.render(body), via=via
    )


def _organisation_of(user: User) -> Organisation | None:
    """The organisation a request belongs to: the requester's first (most people have one)."""
    membership = user.memberships.select_related("organisation").order_by("created_at").first()
    return membership.organisation if membership else None


def _confirmation_mail(ticket: Ticket) -> EmailMultiAlternatives:
    requester = ticket.requester
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        "url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.pk]),
    }
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        subject = render_to_string("tickets/email/created_subject.txt", context).strip()
        body = render_to_string("tickets/email/created_message.txt", context)
        html = render_to_string("tickets/email/created_message.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[requester.email])
    message.attach_alternative(html, "text/html")
    return message
