from madoguchi.tickets.models.catalog import Category, Choice, FormField, Priority, RequestType
from madoguchi.tickets.models.tickets import Attachment, Message, Tag, Ticket

__all__ = [
    "Attachment",
    "Category",
    "Choice",
    "FormField",
    "Message",
    "Priority",
    "RequestType",
    "Tag",
    "Ticket",
]
