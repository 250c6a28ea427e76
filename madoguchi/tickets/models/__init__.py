from madoguchi.tickets.models.catalog import Category, Choice, FormField, Priority, RequestType
from madoguchi.tickets.models.tickets import Message, Tag, Ticket

__all__ = ["Category", "Choice", "FormField", "Message", "Priority", "RequestType", "Tag", "Ticket"]
