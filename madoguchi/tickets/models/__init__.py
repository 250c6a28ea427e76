from madoguchi.tickets.models.catalog import Category, Choice, FormField, Priority, RequestType
from madoguchi.tickets.models.inbound import BrandMailbox, InboundMail
from madoguchi.tickets.models.macros import Macro
from madoguchi.tickets.models.sla import (
    BusinessCalendar,
    BusinessHours,
    Holiday,
    SlaEvent,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
)
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
    "BusinessCalendar",
    "BusinessHours",
    "Category",
    "Choice",
    "FormField",
    "Holiday",
    "InboundMail",
    "Macro",
    "Message",
    "Priority",
    "RequestType",
    "SatisfactionRating",
    "SlaEvent",
    "SlaMetric",
    "SlaPolicy",
    "SlaTarget",
    "Tag",
    "Ticket",
]
