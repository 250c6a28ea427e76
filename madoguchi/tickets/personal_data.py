"""What requests hold about a person, for their data export (R34)."""

from collections.abc import Iterator
from typing import Any

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User
from madoguchi.tickets.models import (
    Attachment,
    Macro,
    Message,
    SatisfactionRating,
    SlaPolicy,
    Ticket,
)


def _requests(user: User) -> Iterator[dict[str, Any]]:
    """The person's own requests with their public conversation (never internal notes)."""
    tickets = Ticket.objects.filter(requester=user).select_related("request_type")
    for ticket in tickets.prefetch_related("messages__author"):
        yield {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "created_at": ticket.created_at.isoformat(),
            "request_type": ticket.request_type.name if ticket.request_type else None,
            "answers": ticket.answers,
            "conversation": [
                {
                    "author": str(message.author) if message.author else None,
                    "sent_at": message.created_at.isoformat(),
                    "body": message.body,
                }
                for message in ticket.messages.all()
                if not message.is_internal
            ],
        }


def _messages(user: User) -> Iterator[dict[str, Any]]:
    """Everything the person wrote on any request, notes included when they are an agent."""
    for message in Message.objects.filter(author=user).select_related("ticket"):
        yield {
            "request": message.ticket.number,
            "sent_at": message.created_at.isoformat(),
            "internal_note": message.is_internal,
            "body": message.body,
        }


def _ratings(user: User) -> Iterator[dict[str, Any]]:
    for rating in SatisfactionRating.objects.filter(rated_by=user).select_related("ticket"):
        yield {
            "request": rating.ticket.number,
            "rating": rating.score,
            "comment": rating.comment,
            "rated_at": rating.updated_at.isoformat(),
        }


def _attachments(user: User) -> Iterator[dict[str, Any]]:
    """The files the person attached, described (their contents stay on the request's page)."""
    for attachment in Attachment.objects.filter(uploaded_by=user).select_related("ticket"):
        yield {
            "request": attachment.ticket.number,
            "name": attachment.name,
            "type": attachment.content_type,
            "size": attachment.size,
            "uploaded_at": attachment.created_at.isoformat(),
        }


def _macros(user: User) -> Iterator[dict[str, Any]]:
    for macro in Macro.objects.filter(owner=user).order_by("pk"):
        yield {"name": macro.name, "body": macro.body, "active": macro.is_active}


def register() -> None:
    personal_data.export(Macro, "personal_macros", _macros)
    personal_data.exclude(
        SlaPolicy, "Service levels agreed with an organisation: configuration, not about a person."
    )
    personal_data.export(Attachment, "request_attachments", _attachments)
    personal_data.export(Ticket, "requests", _requests)
    personal_data.export(SatisfactionRating, "request_ratings", _ratings)
    personal_data.export(Message, "request_messages", _messages)
