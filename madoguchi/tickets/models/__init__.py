from madoguchi.tickets.models.catalog import Category, Choice, FormField, Priority, RequestType
from madoguchi.tickets.models.guests import GuestRequest, HeldFile
from madoguchi.tickets.models.tickets import (
    Attachment,
    Message,
    SatisfactionRating,
    Tag,
    Ticket,
)

__all__ = [
    "Attachment",
    "Category",
    "Choice",
    "FormField",
    "GuestRequest",
    "HeldFile",
    "Message",
    "Priority",
    "RequestType",
    "SatisfactionRating",
    "Tag",
    "Ticket",
]
