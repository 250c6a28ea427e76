"""Mail about requests: who gets it, in their language, threaded so that replies find the request.

Every mail of a request says the same References (the request's own id) and a Reply-To that
carries the request's unguessable token, so a reply by mail lands on the right request without
trusting the Message-ID alone.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from madoguchi.accounts import selectors as accounts_selectors
from madoguchi.accounts.models import NotificationPreference, User
from madoguchi.accounts.notifications import wants
from madoguchi.tickets.models import Message, SlaEvent, SlaMetric, Ticket

EMAIL = NotificationPreference.Channel.EMAIL


def _domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def thread_id(ticket: Ticket) -> str:
    return f"<madoguchi.request-{ticket.pk}@{_domain()}>"


def reply_address(ticket: Ticket) -> str:
    """The address a reply by mail goes to: the reply address with the request's token."""
    local, _at, domain = settings.REPLY_ADDRESS.partition("@")
    return f"{local}+{ticket.reply_token}@{domain}"


def _headers(ticket: Ticket, message_id: str) -> dict[str, str]:
    return {
        "Message-ID": message_id,
        "In-Reply-To": thread_id(ticket),
        "References": thread_id(ticket),
        "Reply-To": reply_address(ticket),
        # Out-of-office robots should not answer every update.
        "Auto-Submitted": "auto-generated",
    }


def _render(
    name: str, context: dict[str, object], recipient: User, headers: dict[str, str]
) -> EmailMultiAlternatives:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"tickets/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"tickets/email/{name}_message.txt", context)
        html = render_to_string(f"tickets/email/{name}_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=[recipient.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation(ticket: Ticket) -> EmailMultiAlternatives:
    """The mail that tells the requester their request arrived; it starts the thread."""
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        "url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.pk]),
    }
    headers = {**_headers(ticket, thread_id(ticket)), "Message-ID": thread_id(ticket)}
    del headers["In-Reply-To"], headers["References"]
    return _render("created", context, ticket.requester, headers)


def solved(ticket: Ticket) -> EmailMultiAlternatives | None:
    """Tell the requester their request was solved, and ask how it went (if they want it)."""
    if not wants(ticket.requester, "request_status", EMAIL):
        return None
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        "url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.pk]) + "#rate",
    }
    message_id = (
        f"<madoguchi.request-{ticket.pk}.solved-{int(ticket.solved_at.timestamp())}@{_domain()}>"
    )
    return _render("solved", context, ticket.requester, _headers(ticket, message_id))


def approval_needed(ticket: Ticket) -> list[EmailMultiAlternatives]:
    """Ask the admins of the request's organisation to approve it."""
    admins = accounts_selectors.organisation_admins(ticket.organisation)
    mails = []
    for admin in admins:
        if admin.pk == ticket.requester_id:
            continue
        context = {
            "ticket": ticket,
            "brand_name": ticket.brand.name,
            "url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.pk]),
        }
        message_id = f"<madoguchi.request-{ticket.pk}.approval-asked.{admin.pk}@{_domain()}>"
        mails.append(_render("approval_needed", context, admin, _headers(ticket, message_id)))
    return mails


def approval_decided(ticket: Ticket, *, by: User) -> EmailMultiAlternatives | None:
    """Tell the requester whether their organisation's admin approved the request."""
    if not wants(ticket.requester, "request_status", EMAIL):
        return None
    context = {
        "ticket": ticket,
        "approver": by,
        "approved": ticket.approval == Ticket.Approval.APPROVED,
        "brand_name": ticket.brand.name,
        "url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.pk]),
    }
    message_id = f"<madoguchi.request-{ticket.pk}.approval@{_domain()}>"
    return _render("approval", context, ticket.requester, _headers(ticket, message_id))


def public_reply(message: Message) -> list[EmailMultiAlternatives]:
    """One mail per person following the request, except the author; none for internal notes."""
    if message.is_internal:
        return []
    ticket = message.ticket
    mails = []
    for recipient in _recipients(message):
        page = "agent:detail" if recipient.is_staff else "tickets:detail"
        context = {
            "ticket": ticket,
            "message": message,
            "brand_name": ticket.brand.name,
            "url": settings.SITE_URL + reverse(page, args=[ticket.pk]),
            "recipient_is_agent": recipient.is_staff,
        }
        message_id = (
            f"<madoguchi.request-{ticket.pk}.message-{message.pk}.{recipient.pk}@{_domain()}>"
        )
        mails.append(_render("reply", context, recipient, _headers(ticket, message_id)))
    return mails


def _recipients(message: Message) -> list[User]:
    ticket = message.ticket
    author = message.author
    if author is not None and author.is_staff:
        # An agent answered: the customer side hears it.
        people = [ticket.requester, *ticket.followers.all()]
    else:
        # The customer side wrote: the assigned agent hears it.
        people = [ticket.assignee] if ticket.assignee else []
    unique = {person.pk: person for person in people if person and person.is_active}
    unique.pop(getattr(author, "pk", None), None)
    return [person for person in unique.values() if wants(person, "request_reply", EMAIL)]


SLA_EVENTS = {SlaEvent.Kind.WARNING: "sla_warning", SlaEvent.Kind.BREACH: "sla_breach"}


def sla_alert(event: SlaEvent) -> list[EmailMultiAlternatives]:
    """Tell the assignee, or the group's agents while nobody is assigned, of a warning or breach."""
    ticket = event.ticket
    mails = []
    for agent in _sla_recipients(ticket):
        if not wants(agent, SLA_EVENTS[event.kind], EMAIL):
            continue
        context = {
            "ticket": ticket,
            "event": event,
            # Lazy, so that it is translated in the agent's language below.
            "metric": SlaMetric(event.target.metric).label,
            "due_at": event.target.due_at,
            "url": settings.SITE_URL + reverse("agent:detail", args=[ticket.pk]),
        }
        message_id = f"<madoguchi.request-{ticket.pk}.sla-{event.pk}.{agent.pk}@{_domain()}>"
        with timezone.override(agent.time_zone or settings.TIME_ZONE):
            mails.append(_render("sla", context, agent, _headers(ticket, message_id)))
    return mails


def _sla_recipients(ticket: Ticket) -> list[User]:
    if ticket.assignee is not None:
        people = [ticket.assignee]
    elif ticket.department is not None:
        people = list(ticket.department.members.all())
    else:
        people = []
    return [person for person in people if person.is_staff and person.is_active]


def merged(source: Ticket, target: Ticket) -> list[EmailMultiAlternatives]:
    """Tell both requesters (once each, if they want it) that a request was merged into another."""
    mails = []
    for recipient in {
        source.requester_id: source.requester,
        target.requester_id: target.requester,
    }.values():
        if not (recipient.is_active and wants(recipient, "request_status", EMAIL)):
            continue
        context = {
            "source": source,
            "target": target,
            "brand_name": target.brand.name,
            "url": settings.SITE_URL + reverse("tickets:detail", args=[target.pk]),
        }
        message_id = f"<madoguchi.request-{source.pk}.merged.{recipient.pk}@{_domain()}>"
        mails.append(_render("merged", context, recipient, _headers(target, message_id)))
    return mails
