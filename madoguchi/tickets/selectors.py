"""Reads of requests, scoped to what the viewer may see (registered with core.access)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from madoguchi.accounts.models import Membership, User
from madoguchi.core import access
from madoguchi.tickets.models import Category, FormField, Message, RequestType, Ticket


def tickets_scope(user: User, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    # Agents see every request except those still waiting for the customer's own approval.
    if user.is_staff:
        return queryset.exclude(approval__in=[Ticket.Approval.PENDING, Ticket.Approval.REJECTED])
    # Organisation admins see all of their organisation's requests; members too when allowed.
    shared = Membership.objects.filter(user=user).filter(
        Q(role=Membership.Role.ADMIN) | Q(organisation__members_see_all_requests=True)
    )
    return queryset.filter(
        Q(requester=user)  # their own
        | Q(followers=user)  # copied in by a colleague
        | Q(organisation__in=shared.values("organisation"))
    ).distinct()


def messages_scope(user: User, queryset: QuerySet[Message]) -> QuerySet[Message]:
    visible = queryset.filter(ticket__in=tickets_scope(user, Ticket.objects.all()))
    # Internal notes are for agents only, whoever can see the request.
    return visible if user.is_staff else visible.filter(is_internal=False)


def register() -> None:
    access.register(Ticket, tickets_scope)
    access.register(Message, messages_scope)
    access.register(RequestType, request_types_scope)


def tickets_for(viewer: User, *, status: str = "", query: str = "") -> QuerySet[Ticket]:
    tickets = access.visible(viewer, Ticket).select_related("request_type", "requester")
    if status == "open":
        tickets = tickets.unsolved()
    elif status:
        tickets = tickets.filter(status=status)
    if query:
        tickets = tickets.filter(Q(subject__icontains=query) | Q(pk=_number(query)))
    return tickets


def _number(query: str) -> int | None:
    digits = query.strip().lstrip("#")
    return int(digits) if digits.isdigit() and len(digits) < 18 else None


def ticket_get_for(viewer: User, pk: object) -> Ticket:
    """Return the request if the viewer may see it; Http404 otherwise, as if it did not exist."""
    tickets = Ticket.objects.select_related("request_type", "requester", "organisation", "brand")
    return access.get_visible_or_404(viewer, tickets, pk=pk)


def public_thread(viewer: User, ticket: Ticket) -> QuerySet[Message]:
    return access.visible(viewer, Message).filter(ticket=ticket).select_related("author")


def catalog_for(brand: object, *, query: str = "") -> list[tuple[Category, list[RequestType]]]:
    """Return the brand's active request types grouped by category, filtered by the words typed."""
    types = RequestType.objects.filter(brand=brand, is_active=True).select_related("category")
    for word in query.split()[:8]:
        types = types.filter(
            Q(name_en__icontains=word)
            | Q(name_ja__icontains=word)
            | Q(description_en__icontains=word)
            | Q(description_ja__icontains=word)
            | Q(keywords__icontains=word)
            | Q(category__name_en__icontains=word)
            | Q(category__name_ja__icontains=word)
        )
    grouped: dict[Category, list[RequestType]] = {}
    for request_type in types.order_by("category__position", "category__pk", "position", "pk"):
        grouped.setdefault(request_type.category, []).append(request_type)
    return list(grouped.items())


def request_types_scope(user: User, queryset: QuerySet[RequestType]) -> QuerySet[RequestType]:
    # Agents may open a retired form to see what it asked; customers only what is offered.
    return queryset if user.is_staff else queryset.filter(is_active=True)


def request_type_get_for(viewer: User, brand: object, pk: object) -> RequestType:
    """Return a request type of the brand the viewer may use; Http404 otherwise."""
    request_types = RequestType.objects.filter(brand=brand).select_related("category")
    return access.get_visible_or_404(viewer, request_types, pk=pk)


def answer_rows(ticket: Ticket) -> list[tuple[str, str]]:
    """Return (label, shown value) for each stored answer, in the viewer's language.

    Labels come from the field as it is now; an answer whose field was deleted shows its key.
    """
    fields = {}
    if ticket.request_type:
        fields = {field.key: field for field in ticket.request_type.fields.all()}
    rows = []
    for key, value in ticket.answers.items():
        field = fields.get(key)
        rows.append((field.label if field else key, _shown(field, value)))
    return rows


def _shown(field: FormField | None, value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return value.get("name") or value.get("email", "")
    labels = {choice.value: choice.label for choice in field.parsed_choices()} if field else {}
    if isinstance(value, list):
        return ", ".join(labels.get(item, item) for item in value)
    return labels.get(value, str(value))
