"""Mail about requests: who gets it, in their language, threaded so that replies find the request.

Every mail of a request says the same References (the request's own id) and a Reply-To that
carries the request's unguessable token, so a reply by mail lands on the right request without
trusting the Message-ID alone. A brand with a support address that sends mail speaks from it,
under the brand's name, and takes replies at it; others use the portal's own addresses.
"""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from madoguchi.accounts import notifications
from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import page_url
from madoguchi.core import later_mail, markdown
from madoguchi.tickets import thread_images
from madoguchi.tickets.models import (
    Attachment,
    BrandMailbox,
    GuestRequest,
    Message,
    SlaEvent,
    SlaMetric,
    Ticket,
)


def _domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def _link(ticket: Ticket, page: str) -> str:
    """The absolute address of one of the request's pages, on its brand's host."""
    return page_url(ticket.brand, reverse(page, args=[ticket.pk]))


def thread_id(ticket: Ticket) -> str:
    return f"<madoguchi.request-{ticket.pk}@{_domain()}>"


def _sending_mailbox(brand: Brand) -> BrandMailbox | None:
    # Through the brand, which keeps it (or its absence): a mail asks for it twice.
    try:
        mailbox = brand.mailbox
    except BrandMailbox.DoesNotExist:
        return None
    return mailbox if mailbox.sends_mail else None


def sender(brand: Brand) -> str:
    """The From of the brand's mail: its support address under its name, or the portal's."""
    mailbox = _sending_mailbox(brand)
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    # A name is one line in a header, whatever was typed into the admin.
    return formataddr((" ".join(brand.name.split()), mailbox.address))


def reply_address(ticket: Ticket) -> str:
    """The address a reply by mail goes to: the brand's (or the portal's) with the token."""
    mailbox = _sending_mailbox(ticket.brand)
    base = mailbox.address if mailbox is not None else settings.REPLY_ADDRESS
    local, _at, domain = base.partition("@")
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
    """Render a request's mail; context["ticket"] is the request it is about."""
    ticket = context["ticket"]
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"tickets/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"tickets/email/{name}_message.txt", context)
        html = render_to_string(f"tickets/email/{name}_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=sender(ticket.brand),
        to=[recipient.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


@later_mail.writer
def confirmation(ticket: Ticket) -> EmailMultiAlternatives:
    """The mail that tells the requester their request arrived; it starts the thread."""
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        "url": _link(ticket, "tickets:detail"),
    }
    headers = {**_headers(ticket, thread_id(ticket)), "Message-ID": thread_id(ticket)}
    del headers["In-Reply-To"], headers["References"]
    return _render("created", context, ticket.requester, headers)


@later_mail.writer
def solved(ticket: Ticket) -> EmailMultiAlternatives:
    """Tell the requester their request was solved, and ask how it went."""
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        "url": _link(ticket, "tickets:detail") + "#rate",
    }
    message_id = (
        f"<madoguchi.request-{ticket.pk}.solved-{int(ticket.solved_at.timestamp())}@{_domain()}>"
    )
    return _render("solved", context, ticket.requester, _headers(ticket, message_id))


@later_mail.writer
def approval_needed(ticket: Ticket, admin: User) -> EmailMultiAlternatives:
    """Ask an admin of the request's organisation to approve it."""
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        "url": _link(ticket, "tickets:detail"),
    }
    return _render(
        "approval_needed", context, admin, _headers(ticket, approval_asked_id(ticket, admin))
    )


def approval_asked_id(ticket: Ticket, admin: User) -> str:
    return f"<madoguchi.request-{ticket.pk}.approval-asked.{admin.pk}@{_domain()}>"


@later_mail.writer
def approval_decided(ticket: Ticket, *, by: User) -> EmailMultiAlternatives:
    """Tell the requester whether their organisation's admin approved the request."""
    context = {
        "ticket": ticket,
        "approver": by,
        "approved": ticket.approval == Ticket.Approval.APPROVED,
        "brand_name": ticket.brand.name,
        "url": _link(ticket, "tickets:detail"),
    }
    message_id = f"<madoguchi.request-{ticket.pk}.approval@{_domain()}>"
    return _render("approval", context, ticket.requester, _headers(ticket, message_id))


@later_mail.writer
def public_reply(message: Message, recipient: User) -> EmailMultiAlternatives:
    """The mail of a public reply to one person following the request."""
    ticket = message.ticket
    page = "agent:detail" if recipient.is_staff else "tickets:detail"
    files = list(message.attachments.all())

    def address(file: Attachment) -> str:
        return page_url(ticket.brand, thread_images.file_path(file))

    images = thread_images.images_of(files, address)
    context = {
        "ticket": ticket,
        "message": message,
        # Images shown in the thread are links here: a private file loads only after sign-in.
        "body_html": markdown.render(message.body, images=images, images_as_links=True)
        if images
        else message.body_html,
        "brand_name": ticket.brand.name,
        "url": _link(ticket, page),
        "recipient_is_agent": recipient.is_staff,
        # Linked, not attached: each opens after the recipient signs in (R8).
        "files": [(file.name, file.size, address(file)) for file in files],
    }
    return _render("reply", context, recipient, _headers(ticket, reply_id(message, recipient)))


@later_mail.writer
def sla_alert(event: SlaEvent, agent: User) -> EmailMultiAlternatives:
    """The mail that warns an agent of an SLA warning or breach, in the agent's language."""
    ticket = event.ticket
    context = {
        "ticket": ticket,
        "event": event,
        # Lazy, so that it is translated in the agent's language below.
        "metric": SlaMetric(event.target.metric).label,
        "due_at": event.target.due_at,
        "url": _link(ticket, "agent:detail"),
    }
    with timezone.override(agent.time_zone or settings.TIME_ZONE):
        return _render("sla", context, agent, _headers(ticket, sla_alert_id(event, agent)))


def sla_alert_id(event: SlaEvent, agent: User) -> str:
    return f"<madoguchi.request-{event.ticket_id}.sla-{event.pk}.{agent.pk}@{_domain()}>"


@later_mail.writer
def merged(source: Ticket, target: Ticket, recipient: User) -> EmailMultiAlternatives:
    """Tell a requester that a request was merged into another."""
    context = {
        "ticket": target,
        "source": source,
        "target": target,
        "brand_name": target.brand.name,
        "url": _link(target, "tickets:detail"),
    }
    return _render("merged", context, recipient, _headers(target, merged_id(source, recipient)))


def merged_id(source: Ticket, recipient: User) -> str:
    return f"<madoguchi.request-{source.pk}.merged.{recipient.pk}@{_domain()}>"


def reply_id(message: Message, recipient: User) -> str:
    ticket_pk = message.ticket_id
    return f"<madoguchi.request-{ticket_pk}.message-{message.pk}.{recipient.pk}@{_domain()}>"


@later_mail.writer
def notice(
    ticket: Ticket, recipient: User, *, kind: str, params: dict[str, object]
) -> EmailMultiAlternatives:
    """A short mail that carries an in-portal notification's text and link (agents' events)."""
    context = {
        "ticket": ticket,
        "brand_name": ticket.brand.name,
        # Called while rendering, so the text is in the recipient's language.
        "text": lambda: notifications.text_for(kind, params),
        "url": _link(ticket, "agent:detail"),
    }
    message_id = f"<madoguchi.request-{ticket.pk}.{kind}.{recipient.pk}@{_domain()}>"
    return _render("notice", context, recipient, _headers(ticket, message_id))


def guest_confirmation(hold: GuestRequest, token: str, *, language: str) -> EmailMultiAlternatives:
    """The mail with the link that confirms a visitor's request (nothing is created before)."""
    context = {
        "hold": hold,
        "brand_name": hold.brand.name,
        "url": page_url(hold.brand, reverse("tickets:guest_confirm", args=[token])),
        "hours": settings.GUEST_REQUEST_HOURS,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("tickets/email/guest_confirm_subject.txt", context).strip()
        body = render_to_string("tickets/email/guest_confirm_message.txt", context)
        html = render_to_string("tickets/email/guest_confirm_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=sender(hold.brand),
        to=[hold.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
