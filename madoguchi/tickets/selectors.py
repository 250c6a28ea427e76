"""Reads of requests, scoped to what the viewer may see (registered with core.access)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.accounts import selectors as accounts_selectors
from madoguchi.accounts.models import Department, User
from madoguchi.core import access
from madoguchi.core.http import parse_id
from madoguchi.core.memo import per_request
from madoguchi.core.models import AuditEvent
from madoguchi.core.prepared import Prepared
from madoguchi.tickets.models import (
    Attachment,
    Category,
    FormField,
    Macro,
    Message,
    Priority,
    RequestType,
    SatisfactionRating,
    SlaMetric,
    SlaTarget,
    Tag,
    Ticket,
)


def tickets_scope(user: User, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    # Agents see every request except those still waiting for the customer's own approval.
    if user.is_staff:
        return queryset.exclude(approval__in=[Ticket.Approval.PENDING, Ticket.Approval.REJECTED])
    # The few followed requests and shared organisations are read first, so the database sees
    # plain values it can look up in its indexes (PostgreSQL cannot for an OR of subqueries),
    # and no join on followers (which needed a DISTINCT over every visible request). A page
    # asks this several times (list, filter, thread): they are read once per request.
    followed, shared = per_request(("ticket-reach", user.pk), lambda: _reach(user))
    return queryset.filter(
        Q(requester=user)  # their own
        | Q(pk__in=followed)  # copied in by a colleague
        | Q(organisation__in=shared)
    )


# Every request page and list of a customer asks: compiled once (core.prepared).
_FOLLOWED = Prepared(
    lambda user_id: Ticket.followers.through.objects.filter(user_id=user_id).values_list(
        "ticket_id"
    ),
    int,
)


def _reach(user: User) -> tuple[list[int], list[int]]:
    """Return the requests the customer follows and the organisations whose requests they see."""
    # Organisation admins see all of their organisation's requests; members too when allowed.
    places = accounts_selectors.places_of(user)
    return (
        [pk for (pk,) in _FOLLOWED.rows(user.pk)],
        [place.organisation_id for place in places if place.sees_all_requests],
    )


def _on_visible_ticket(user: User) -> Exists:
    # Correlated: checked for the rows at hand (one request's messages), never by listing
    # every request the viewer may see.
    return Exists(tickets_scope(user, Ticket.objects.filter(pk=OuterRef("ticket_id"))))


def messages_scope(user: User, queryset: QuerySet[Message]) -> QuerySet[Message]:
    visible = queryset.filter(_on_visible_ticket(user))
    # Internal notes are for agents only, whoever can see the request.
    return visible if user.is_staff else visible.filter(is_internal=False)


def attachments_scope(user: User, queryset: QuerySet[Attachment]) -> QuerySet[Attachment]:
    visible = queryset.filter(_on_visible_ticket(user))
    # A file on an internal note is as private as the note.
    return visible if user.is_staff else visible.exclude(message__is_internal=True)


def register() -> None:
    access.register(Attachment, attachments_scope)
    access.register(Ticket, tickets_scope)
    access.register(Message, messages_scope)
    access.register(RequestType, request_types_scope)


ACTIVITY_SORTS = {
    "updated": ("-updated_at", "-pk"),
    "created": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
}


# The tabs of "My activity": every request the viewer sees, or only those they asked, those
# they are copied in on, or those of the organisations whose requests they may see.
ACTIVITY_SCOPES = ("", "mine", "copied", "organisation")


@dataclass(frozen=True)
class ActivityFilter:
    status: str = ""
    query: str = ""
    request_type: int | None = None
    sort: str = "updated"
    scope: str = ""


def tickets_for(viewer: User, chosen: ActivityFilter = ActivityFilter()) -> QuerySet[Ticket]:
    """Return the requests the viewer may see, narrowed and ordered as chosen, with their
    request types and requesters."""
    return _chosen_tickets(viewer, chosen).select_related("request_type", "requester")


def _chosen_tickets(viewer: User, chosen: ActivityFilter) -> QuerySet[Ticket]:
    tickets = _in_scope(viewer, access.visible(viewer, Ticket), chosen.scope)
    if chosen.status == "open":
        tickets = tickets.unsolved()
    elif chosen.status:
        tickets = tickets.filter(status=chosen.status)
    if chosen.request_type is not None:
        tickets = tickets.filter(request_type_id=chosen.request_type)
    if chosen.query:
        tickets = tickets.filter(_text_matches(chosen.query))
    return tickets.order_by(*ACTIVITY_SORTS.get(chosen.sort, ACTIVITY_SORTS["updated"]))


# What a row of "My activity" shows (templatetags/request_rows.activity_rows): the form's
# answers and a dozen other columns stay in the database.
_ACTIVITY_ROW_FIELDS = (
    "subject",
    "status",
    "approval",
    "updated_at",
    "requester__name",
    "requester__email",
)


def activity_rows_for(viewer: User, chosen: ActivityFilter) -> QuerySet[Ticket]:
    """Return the requests of tickets_for(viewer, chosen), reading only the columns the page's
    rows show."""
    return _chosen_tickets(viewer, chosen).select_related("requester").only(*_ACTIVITY_ROW_FIELDS)


def _in_scope(viewer: User, tickets: QuerySet[Ticket], scope: str) -> QuerySet[Ticket]:
    if scope == "mine":
        return tickets.filter(requester=viewer)
    if scope not in {"copied", "organisation"}:
        return tickets
    followed, shared = per_request(("ticket-reach", viewer.pk), lambda: _reach(viewer))
    if scope == "copied":
        return tickets.filter(pk__in=followed)
    return tickets.filter(organisation__in=shared)


def activity_scopes(viewer: User) -> list[str]:
    """Return the tabs of "My activity" worth showing: the organisation's only to who sees it."""
    _followed, shared = per_request(("ticket-reach", viewer.pk), lambda: _reach(viewer))
    return [scope for scope in ACTIVITY_SCOPES if scope != "organisation" or shared]


def request_types_among(viewer: User) -> QuerySet[RequestType]:
    """Return the request types of the requests the viewer may see, for the filter."""
    visible = access.visible(viewer, Ticket).order_by().values("request_type_id")
    return RequestType.objects.filter(pk__in=visible)


def _number(query: str) -> int | None:
    return parse_id(query.strip().lstrip("#"))


def ticket_get_for(viewer: User, pk: object) -> Ticket:
    """Return the request if the viewer may see it; Http404 otherwise, as if it did not exist."""
    tickets = Ticket.objects.select_related("request_type", "requester", "organisation", "brand")
    return access.get_visible_or_404(viewer, tickets, pk=pk)


def public_thread(viewer: User, ticket: Ticket) -> QuerySet[Message]:
    """Return the messages the viewer may read, each with its files."""
    messages = access.visible(viewer, Message).filter(ticket=ticket)
    messages = messages.select_related("author", "inbound_mail")
    return messages.prefetch_related("attachments")


def rating_of(ticket: Ticket) -> SatisfactionRating | None:
    return SatisfactionRating.objects.filter(ticket=ticket).first()


def field_attachments(ticket: Ticket) -> QuerySet[Attachment]:
    """Return the files given in the request form's file fields."""
    return ticket.attachments.filter(message__isnull=True)


def attachment_get_for(viewer: User, ticket_pk: object, pk: object) -> Attachment:
    return access.get_visible_or_404(viewer, Attachment, ticket_id=ticket_pk, pk=pk)


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


def request_type_for_guests(brand: object, pk: object) -> RequestType:
    """Return a request type a visitor may use on a brand that takes guest requests; 404 else."""
    request_types = RequestType.objects.filter(brand=brand, is_active=True)
    return get_object_or_404(request_types.select_related("category"), pk=pk)


def answer_rows(ticket: Ticket) -> list[tuple[str, str]]:
    """Return (label, shown value) for each stored answer, in the viewer's language.

    Labels come from the field as it is now; an answer whose field was deleted shows its key.
    """
    if not ticket.answers:
        return []  # no need to read the form's fields
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


QUEUES = ("unassigned", "mine", "groups", "all", "at_risk", "breached")
# The page stays small (BENCHMARKS.md B6: at most 100 KB) however many tags there are; any other
# tag is still typed by hand.
QUEUE_TAG_CHOICES = 200
SORTS = {
    "updated": ("-updated_at", "-pk"),
    "created": ("-created_at", "-pk"),
    "priority": ("-priority_rank", "-updated_at"),
    "due": (F("sla_due_at").asc(nulls_last=True), "pk"),
}
# How soon the next SLA target falls due, for the queue's filter ("overdue" is already past).
DUE_WITHIN = {
    "overdue": timedelta(0),
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "24h": timedelta(days=1),
}


@dataclass(frozen=True)
class QueueFilter:
    """What an agent narrows a queue to; every field is optional."""

    status: str = ""
    priority: str = ""
    sort: str = "updated"
    due: str = ""
    query: str = ""
    department: int | None = None
    request_type: int | None = None
    tag: str = ""
    requester: str = ""


def queue_for(agent: User, queue: str, chosen: QueueFilter = QueueFilter()) -> QuerySet[Ticket]:
    """Return an agent's view of the queue: unsolved requests unless a status is asked for."""
    tickets = _queue_base(agent, queue)
    tickets = tickets.filter(status=chosen.status) if chosen.status else tickets.unsolved()
    if chosen.priority:
        tickets = tickets.filter(priority=chosen.priority)
    if chosen.due in DUE_WITHIN:
        due_by = timezone.now() + DUE_WITHIN[chosen.due]
        tickets = _sla_running(tickets).filter(sla_due_at__lte=due_by)
    if chosen.department is not None:
        tickets = tickets.filter(department_id=chosen.department)
    if chosen.request_type is not None:
        tickets = tickets.filter(request_type_id=chosen.request_type)
    if chosen.tag:
        # Tags are kept as slugs ("Billing" is billing), as the bulk change writes them.
        tickets = tickets.filter(tags__name=Tag.stored_name(chosen.tag))
    if chosen.requester:
        tickets = tickets.filter(_requester_matches(chosen.requester))
    if chosen.query:
        tickets = tickets.filter(_text_matches(chosen.query))
    ordering = SORTS.get(chosen.sort, SORTS["updated"])
    return (
        tickets.annotate(priority_rank=_priority_rank())
        .select_related("requester", "organisation", "assignee", "department")
        .order_by(*ordering)
    )


def _requester_matches(text: str) -> Q:
    # A whole address (the context panel's link) is one person; else part of a name or address.
    local, _at, domain = text.partition("@")
    if local and "." in domain:
        return Q(requester__email__iexact=text)
    return Q(requester__name__icontains=text) | Q(requester__email__icontains=text)


def _text_matches(text: str) -> Q:
    number = _number(text)
    return Q(subject__icontains=text) | (Q(pk=number) if number is not None else Q(pk__in=[]))


QUEUE_CHOICES_KEY = "tickets:queue-choices"
QUEUE_CHOICES_SECONDS = 300


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filters offer: every group and request type, and tags to pick from."""

    departments: list[Department]
    request_types: list[RequestType]
    tags: list[Tag]


def queue_choices() -> QueueChoices:
    """Return the queue filters' choices, kept in the cache until one of them changes.

    The queue is the page agents reload all day (BENCHMARKS.md B6): three lists that rarely
    change are not read from the database each time.
    """
    choices = cache.get(QUEUE_CHOICES_KEY)
    if choices is None:
        choices = QueueChoices(
            departments=list(departments()),
            request_types=list(request_types_for_agents()),
            tags=list(Tag.objects.all()[:QUEUE_TAG_CHOICES]),
        )
        cache.set(QUEUE_CHOICES_KEY, choices, QUEUE_CHOICES_SECONDS)
    return choices


def queue_choices_outdated() -> None:
    cache.delete(QUEUE_CHOICES_KEY)


QUEUE_VERSION_KEY = "tickets:queue-version"


def queue_counts(agent: User) -> dict[str, int]:
    """Return the number of unsolved requests in each of the agent's queues.

    Six counts over every open request are most of the queue page's cost, so they are kept in
    the cache for QUEUE_COUNTS_SECONDS; any request saved or deleted makes them count again (in
    every process when the cache is Redis). Time alone moves requests into "at risk" and
    "breached", and group membership changes count again after that delay.
    """
    key = f"tickets:queue-counts:{agent.pk}:{_queue_version()}"
    counts = cache.get(key)
    if counts is None:
        counts = {queue: _queue_base(agent, queue).unsolved().count() for queue in QUEUES}
        cache.set(key, counts, settings.QUEUE_COUNTS_SECONDS)
    return counts


def _queue_version() -> str:
    # A fresh random version when the key is missing (evicted, or a cold cache): counts kept
    # under an older one are never read again.
    version = cache.get(QUEUE_VERSION_KEY)
    if version is None:
        version = queue_counts_outdated()
    return version


def queue_counts_outdated() -> str:
    """Make every agent's queue counts count again (a request changed); the new version."""
    version = uuid.uuid4().hex
    cache.set(QUEUE_VERSION_KEY, version, None)
    return version


def _queue_base(agent: User, queue: str) -> QuerySet[Ticket]:
    tickets = access.visible(agent, Ticket)
    if queue == "unassigned":
        return tickets.filter(assignee__isnull=True)
    if queue == "mine":
        return tickets.filter(assignee=agent)
    if queue == "groups":
        return tickets.filter(department__in=agent.departments.all())
    now = timezone.now()
    if queue == "at_risk":
        return _sla_running(tickets).filter(sla_warn_at__lte=now, sla_due_at__gt=now)
    if queue == "breached":
        return _sla_running(tickets).filter(sla_due_at__lte=now)
    return tickets


def _sla_running(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.filter(sla_due_at__isnull=False, sla_paused_at__isnull=True)


@dataclass(frozen=True)
class SlaRow:
    """One target of a request as the agent sees it: its state and when it is (or was) due."""

    metric: str
    state: str
    due_at: datetime
    completed_at: datetime | None


def sla_rows(ticket: Ticket) -> list[SlaRow]:
    """Return the latest target of each kind for the request page, in the order of SlaMetric."""
    latest: dict[str, SlaTarget] = {}
    for target in ticket.sla_targets.order_by("pk"):
        latest[target.metric] = target
    now = timezone.now()
    return [
        SlaRow(
            metric=SlaMetric(metric).label,
            state=_target_state(latest[metric], paused=ticket.sla_paused_at is not None, now=now),
            due_at=latest[metric].due_at,
            completed_at=latest[metric].completed_at,
        )
        for metric in SlaMetric.values
        if metric in latest
    ]


def _target_state(target: SlaTarget, *, paused: bool, now: datetime) -> str:
    if target.completed_at is not None:
        return "met" if target.was_met else "missed"
    if paused:
        return "paused"
    if target.due_at <= now:
        return "breached"
    return "at_risk" if target.warn_at <= now else "on_track"


def _priority_rank() -> Case:
    ranks = [When(priority=value, then=Value(rank)) for rank, value in enumerate(Priority.values)]
    return Case(*ranks, default=Value(0), output_field=IntegerField())


def tickets_get_for(viewer: User, pks: list[int]) -> list[Ticket]:
    """Return the requests among pks the viewer may see (for bulk actions)."""
    return list(access.visible(viewer, Ticket).filter(pk__in=pks))


def other_requests(viewer: User, ticket: Ticket, *, limit: int = 5) -> QuerySet[Ticket]:
    """Return the requester's latest other requests, for the agent's context panel."""
    others = access.visible(viewer, Ticket).filter(requester=ticket.requester_id)
    return others.exclude(pk=ticket.pk)[:limit]


def agents() -> QuerySet[User]:
    return User.objects.filter(is_staff=True, is_active=True).order_by("name", "email")


def departments() -> QuerySet[Department]:
    return Department.objects.all()


def request_types_for_agents() -> QuerySet[RequestType]:
    """Return every request type of every brand, for the queue's filter."""
    return RequestType.objects.select_related("brand").order_by(
        "brand__name", "category__position", "position", "pk"
    )


def followers_of(ticket: Ticket) -> QuerySet[User]:
    return ticket.followers.order_by("name", "email")


def colleagues_to_copy_in(viewer: User, ticket: Ticket) -> QuerySet[User]:
    """Return the requester's colleagues the viewer may copy in (none for other viewers)."""
    if not (viewer.is_staff or viewer.pk == ticket.requester_id):
        return User.objects.none()
    colleagues = accounts_selectors.organisation_members_for(ticket.requester)
    return colleagues.exclude(pk=ticket.requester_id).exclude(followed_requests=ticket)


def person_for_request(viewer: User, pk: str) -> User | None:
    """Return a person the viewer may see (core.access), or None."""
    found = parse_id(pk)
    return None if found is None else access.visible(viewer, User).filter(pk=found).first()


ROUTING_REASONS = {
    "created": gettext_lazy("new request"),
    "group_changed": gettext_lazy("moved to another group"),
    "approved": gettext_lazy("approved by the organisation"),
}


@dataclass(frozen=True)
class AutomaticAssignment:
    at: datetime
    assignee: str
    strategy: str
    reason: str


def automatic_assignments(ticket: Ticket) -> list[AutomaticAssignment]:
    """Return the request's automatic assignments from the audit log, oldest first."""
    events = list(
        AuditEvent.objects.filter(
            action="request.assigned_automatically",
            target_type=Ticket._meta.label_lower,
            target_id=str(ticket.pk),
        ).order_by("created_at", "pk")
    )
    names = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in=[event.data.get("assignee") for event in events])
    }
    strategies = dict(Department.Assignment.choices)
    return [
        AutomaticAssignment(
            at=event.created_at,
            assignee=names.get(event.data.get("assignee"), "?"),
            strategy=str(strategies.get(event.data.get("strategy"), "")),
            reason=str(ROUTING_REASONS.get(event.data.get("reason"), "")),
        )
        for event in events
    ]


def may_decide_approval(viewer: User, ticket: Ticket) -> bool:
    return ticket.approval == Ticket.Approval.PENDING and accounts_selectors.administers(
        viewer, ticket.organisation
    )


def macros_for(agent: User, ticket: Ticket) -> QuerySet[Macro]:
    """Return the active macros the agent may use on this request: shared ones and their own."""
    return Macro.objects.filter(
        Q(owner__isnull=True) | Q(owner=agent),
        Q(brand__isnull=True) | Q(brand=ticket.brand_id),
        is_active=True,
    ).order_by("name", "pk")


def macro_for(agent: User, ticket: Ticket, pk: str) -> Macro | None:
    found = parse_id(pk)
    if found is None:
        return None
    return macros_for(agent, ticket).filter(pk=found).select_related("set_department").first()


def personal_macros(agent: User) -> QuerySet[Macro]:
    return Macro.objects.filter(owner=agent).order_by("name", "pk")


def personal_macro_get(agent: User, pk: object) -> Macro:
    """Return one of the agent's own macros; Http404 for anyone else's."""
    return get_object_or_404(Macro, pk=pk, owner=agent)


MERGE_HOPS = 10


def ticket_for_reply_token(token: str) -> Ticket | None:
    """Return the request a mail reply with this token belongs to, following merges.

    A reply to a request that was merged lands on the request it was merged into.
    """
    return follow_merges(Ticket.objects.filter(reply_token=token).first() if token else None)


def follow_merges(ticket: Ticket | None) -> Ticket | None:
    """Return the request that ticket was merged into (through chains of merges), or ticket."""
    for _hop in range(MERGE_HOPS):
        if ticket is None or ticket.merged_into_id is None:
            return ticket
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
    return ticket


def merged_target_for(viewer: User, ticket: Ticket) -> Ticket | None:
    """Return where a merged request went, if the viewer may see it there; None otherwise."""
    target = ticket
    for _hop in range(MERGE_HOPS):
        if target.merged_into_id is None:
            break
        target = Ticket.objects.get(pk=target.merged_into_id)
    if target.pk == ticket.pk:
        return None
    return access.visible(viewer, Ticket).filter(pk=target.pk).first()


def merge_candidate_for(agent: User, number: str) -> Ticket | None:
    """Return the request an agent named by number to merge into, if they may see it."""
    pk = _number(number)
    if pk is None:
        return None
    tickets = Ticket.objects.select_related("organisation", "requester", "brand")
    return access.visible(agent, tickets).filter(pk=pk).first()


def merge_suggestions(agent: User, source: Ticket, *, limit: int = 10) -> QuerySet[Ticket]:
    """Return open requests of the same requester or organisation to offer as merge targets."""
    same_customer = Q(requester=source.requester_id)
    if source.organisation_id:
        same_customer |= Q(organisation=source.organisation_id)
    candidates = access.visible(agent, Ticket).filter(same_customer, brand=source.brand_id)
    return candidates.exclude(pk=source.pk).exclude(status=Ticket.Status.CLOSED)[:limit]
