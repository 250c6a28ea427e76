"""The SLA clock of requests: which policy applies, when each target is due, pauses, breaches.

services.py calls these hooks inside its own transactions, on the locked request row; each hook
writes the targets and the request's summary fields (sla_warn_at, sla_due_at, sla_paused_at).
Pending always pauses the clock; on-hold pauses it when the policy says so. On leaving a pause
the open targets move later by the business time that passed while paused.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from madoguchi.tickets import notices
from madoguchi.tickets.business_time import Schedule, add_business_time, business_time_between
from madoguchi.tickets.japanese_holidays import japanese_holidays
from madoguchi.tickets.models import (
    BusinessCalendar,
    Holiday,
    SlaEvent,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
)

logger = logging.getLogger("madoguchi.sla")

SUMMARY_FIELDS = ["sla_policy", "sla_warn_at", "sla_due_at", "sla_paused_at"]
# Started with the request; a next-response target starts with each unanswered customer message.
FROM_THE_START = (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION)
# Enough for a minute's work; what is left waits for the next run.
CHECK_BATCH = 500


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """Return the active policy that matches the request most specifically (position breaks ties).

    A policy matches when each condition it sets (priority, organisation, request type) equals
    the request's; an empty condition matches anything.
    """
    candidates = SlaPolicy.objects.filter(
        Q(priority="") | Q(priority=ticket.priority),
        Q(organisation__isnull=True) | Q(organisation=ticket.organisation_id),
        Q(request_type__isnull=True) | Q(request_type=ticket.request_type_id),
        is_active=True,
    ).select_related("calendar")
    ranked = sorted(
        candidates, key=lambda policy: (-policy.specificity, policy.position, policy.pk)
    )
    return ranked[0] if ranked else None


def clock_start(ticket: Ticket, policy: SlaPolicy | None) -> None:
    """Attach the matching policy (policy_for, which only reads: callers may ask it before their
    transaction) to a request agents can now see, and start its targets."""
    if policy is None and ticket.sla_policy_id is None:
        return  # No policy before or now: no target to start, none to summarise.
    ticket.sla_policy = policy
    if policy is not None:
        schedule = _schedule(policy)
        for metric in FROM_THE_START:
            if _still_owed(ticket, metric):
                _target_start(ticket, policy, schedule, metric, at=ticket.created_at)
    _summarise(ticket)


def status_changed(ticket: Ticket, *, before: str, at: datetime) -> None:
    """Follow a change of status: stop on solved, reopen, pause or resume the clock."""
    if ticket.sla_policy_id is None or before == ticket.status:
        return
    policy = ticket.sla_policy
    schedule = _schedule(policy)
    if ticket.is_done:
        _open_targets(ticket).update(completed_at=at)
        ticket.sla_paused_at = None
    elif before in Ticket.DONE:
        _resolution_reopen(ticket, policy, schedule, at=at)
        ticket.sla_paused_at = at if _pauses(policy, ticket.status) else None
    elif _pauses(policy, ticket.status) and ticket.sla_paused_at is None:
        ticket.sla_paused_at = at
    elif not _pauses(policy, ticket.status) and ticket.sla_paused_at is not None:
        _resume(ticket, policy, schedule, at=at)
    _summarise(ticket)


def reply_recorded(ticket: Ticket, *, by_agent: bool, at: datetime) -> None:
    """Follow a public reply: an agent's answers what was owed; a customer's starts a wait.

    Call after status_changed, so a customer reply that ends a pause resumes the clock first.
    """
    policy = ticket.sla_policy
    if policy is None:
        return
    open_responses = _open_targets(ticket).filter(
        metric__in=[SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE]
    )
    if by_agent:
        open_responses.update(completed_at=at)
    elif _awaits_next_response(ticket, policy) and not open_responses.exists():
        _target_start(ticket, policy, _schedule(policy), SlaMetric.NEXT_RESPONSE, at=at)
    _summarise(ticket)


def policy_recompute(ticket: Ticket) -> None:
    """Apply the policy that matches now (after a change of priority, organisation or type).

    Open targets take the new policy's times from when they started; targets it does not set
    are dropped, and targets it adds start from the request's creation.
    """
    policy = policy_for(ticket)
    if getattr(policy, "pk", None) == ticket.sla_policy_id:
        return
    ticket.sla_policy = policy
    for target in _open_targets(ticket):
        allowed = policy.target(target.metric) if policy else None
        if allowed is None:
            target.delete()
            continue
        target.policy, target.target = policy, allowed
        _time(target, policy, _schedule(policy))
        target.save(update_fields=["policy", "target", "warn_at", "due_at"])
    if policy is not None and not ticket.is_done:
        for metric in FROM_THE_START:
            if (
                _still_owed(ticket, metric)
                and not ticket.sla_targets.filter(metric=metric).exists()
            ):
                _target_start(ticket, policy, _schedule(policy), metric, at=ticket.created_at)
    if policy is not None:
        _pause_follow(ticket, policy, at=timezone.now())
    _summarise(ticket)


def targets_check(now: datetime | None = None) -> int:
    """Record each warning and breach that is due, once, and mail the people working on it.

    Idempotent: an event is a row unique per (request, target, kind), written with its mails in
    one transaction, so a second run, a retry or a second worker records and sends nothing more.
    Returns the number of events recorded.
    """
    now = now or timezone.now()
    running = SlaTarget.objects.filter(
        completed_at__isnull=True, ticket__sla_paused_at__isnull=True
    ).select_related("ticket__assignee", "ticket__department", "ticket__brand")
    breached = running.filter(due_at__lte=now).exclude(events__kind=SlaEvent.Kind.BREACH)
    # A target already past due only breaches; its warning came too late to help.
    warned = running.filter(warn_at__lte=now, due_at__gt=now).exclude(
        events__kind=SlaEvent.Kind.WARNING
    )
    recorded = 0
    for kind, targets in ((SlaEvent.Kind.BREACH, breached), (SlaEvent.Kind.WARNING, warned)):
        for target in targets[:CHECK_BATCH]:
            recorded += _event_record(target, kind)
    return recorded


def calendar_named(name: str) -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(name=name).first()


def japanese_holidays_add(calendar: BusinessCalendar, *, year: int) -> int:
    """Add Japan's national holidays of year to the calendar; return how many were new.

    Days the calendar already has (under any name) stay as they are, so running it twice adds
    nothing. Raises ValueError for a year the built-in rules do not cover.
    """
    before = calendar.holidays.count()
    Holiday.objects.bulk_create(
        [
            Holiday(calendar=calendar, day=holiday.day, name=holiday.name_ja)
            for holiday in japanese_holidays(year)
        ],
        ignore_conflicts=True,
    )
    return calendar.holidays.count() - before


def _event_record(target: SlaTarget, kind: str) -> int:
    try:
        with transaction.atomic():
            event = SlaEvent.objects.create(ticket=target.ticket, target=target, kind=kind)
            notices.sla_alert(event)
    except IntegrityError:
        return 0  # Another worker recorded it first.
    logger.info("SLA %s on request %s (%s)", kind, target.ticket_id, target.metric)
    return 1


def _schedule(policy: SlaPolicy) -> Schedule | None:
    return policy.calendar.schedule() if policy.calendar_id else None


def _pauses(policy: SlaPolicy, status: str) -> bool:
    if status == Ticket.Status.PENDING:
        return True
    return status == Ticket.Status.ON_HOLD and policy.pause_on_hold


def _awaits_next_response(ticket: Ticket, policy: SlaPolicy) -> bool:
    # Until the first response, the first-response target covers every customer message.
    has_target = policy.target(SlaMetric.NEXT_RESPONSE) is not None
    return has_target and not ticket.is_done and ticket.first_response_at is not None


def _still_owed(ticket: Ticket, metric: str) -> bool:
    if metric == SlaMetric.FIRST_RESPONSE:
        return ticket.first_response_at is None
    return not ticket.is_done


def _open_targets(ticket: Ticket) -> QuerySet[SlaTarget]:
    return SlaTarget.objects.filter(ticket=ticket, completed_at__isnull=True)


def _target_start(
    ticket: Ticket, policy: SlaPolicy, schedule: Schedule | None, metric: str, *, at: datetime
) -> None:
    allowed = policy.target(metric)
    if allowed is None:
        return
    target = SlaTarget(ticket=ticket, policy=policy, metric=metric, started_at=at, target=allowed)
    _time(target, policy, schedule)
    target.save()


def _time(target: SlaTarget, policy: SlaPolicy, schedule: Schedule | None) -> None:
    """Compute warn_at and due_at: business time from the start, plus the time paused."""
    warn_after = policy.warn_after(target.target)
    target.warn_at = add_business_time(schedule, target.started_at, warn_after + target.paused)
    target.due_at = add_business_time(schedule, target.started_at, target.target + target.paused)


def _pause_follow(ticket: Ticket, policy: SlaPolicy, *, at: datetime) -> None:
    """Pause or resume as the new policy says for the current status (on-hold differs)."""
    if _pauses(policy, ticket.status) and ticket.sla_paused_at is None:
        ticket.sla_paused_at = at
    elif not _pauses(policy, ticket.status) and ticket.sla_paused_at is not None:
        _resume(ticket, policy, _schedule(policy), at=at)


def _resume(ticket: Ticket, policy: SlaPolicy, schedule: Schedule | None, *, at: datetime) -> None:
    for target in _open_targets(ticket):
        since = max(ticket.sla_paused_at, target.started_at)
        target.paused += business_time_between(schedule, since, at)
        _time(target, policy, schedule)
        target.save(update_fields=["paused", "warn_at", "due_at"])
    ticket.sla_paused_at = None


def _resolution_reopen(
    ticket: Ticket, policy: SlaPolicy, schedule: Schedule | None, *, at: datetime
) -> None:
    """Let the resolution clock run again after a reopen; the solved time counts as paused."""
    target = ticket.sla_targets.filter(metric=SlaMetric.RESOLUTION).order_by("-pk").first()
    if target is None or target.completed_at is None:
        return
    target.paused += business_time_between(schedule, target.completed_at, at)
    target.completed_at = None
    _time(target, policy, schedule)
    target.save(update_fields=["paused", "warn_at", "due_at", "completed_at"])


def _summarise(ticket: Ticket) -> None:
    """Copy the earliest warning and due moment of the open targets onto the request row."""
    moments = list(_open_targets(ticket).values_list("warn_at", "due_at"))
    ticket.sla_warn_at = min((warn for warn, _due in moments), default=None)
    ticket.sla_due_at = min((due for _warn, due in moments), default=None)
    ticket.save(update_fields=SUMMARY_FIELDS)
