from madoguchi.tickets.models.catalog import Category, Choice, FormField, Priority, RequestType
from madoguchi.tickets.models.inbound import BrandMailbox, InboundMail
from madoguchi.tickets.models.tickets import (
    Attachment,
    Message,
    SatisfactionRating,
    Tag,
    Ticket,
)

__all__ = [
    "Attachment",
    "BrandMailbox",
    "Category",
    "Choice",
    "FormField",
    "InboundMail",
    "Message",
    "Priority",
    "RequestType",
    "SatisfactionRating",
    "Tag",
    "Ticket",
]
