"""What the API answers and accepts: the fields each caller may see, nothing more (R6)."""

from datetime import datetime
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from madoguchi.tickets import thread_images
from madoguchi.tickets.models import Attachment, Message, Ticket


class Problem(Schema):
    """Every error: the HTTP status and a reason a person can read."""

    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def from_model(found: Attachment) -> "AttachmentOut":
        url = thread_images.file_path(found)
        return AttachmentOut(
            id=found.pk, name=found.name, content_type=found.content_type, size=found.size, url=url
        )


class MessageOut(Schema):
    id: int
    author: str
    from_agent: bool
    # Only in answers to agents: customers are never sent internal notes at all.
    internal: bool
    body: str
    body_html: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def from_model(message: Message) -> "MessageOut":
        author = message.author
        return MessageOut(
            id=message.pk,
            author=author.get_full_name() or author.email if author else "",
            from_agent=bool(author and author.is_staff),
            internal=message.is_internal,
            body=message.body,
            body_html=message.body_html,
            created_at=message.created_at,
            attachments=[AttachmentOut.from_model(a) for a in message.attachments.all()],
        )


class RequestSummary(Schema):
    id: int
    number: str
    subject: str
    status: str
    status_label: str
    priority: str
    request_type: str | None
    created_at: datetime
    updated_at: datetime
    url: str

    @staticmethod
    def fields_of(ticket: Ticket) -> dict[str, Any]:
        return {
            "id": ticket.pk,
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "status_label": str(ticket.get_status_display()),
            "priority": ticket.priority,
            "request_type": str(ticket.request_type) if ticket.request_type else None,
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
            "url": reverse("tickets:detail", args=[ticket.pk]),
        }


class RequestDetail(RequestSummary):
    answers: list[tuple[str, str]]
    messages: list[MessageOut]


class RequestPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RequestSummary]


class RequestIn(Schema):
    request_type: int = Field(description="Id of an offered request type of this brand.")
    subject: str
    description: str
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Answers to the request type's own fields, by field key.",
    )


class MessageIn(Schema):
    body: str
    internal: bool = Field(default=False, description="An internal note (agents only).")
