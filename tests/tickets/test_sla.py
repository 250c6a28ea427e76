"""The SLA clock: which policy applies, due times in business time, pauses, and the job."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.accounts import notifications
from madoguchi.accounts.models import Department, NotificationPreference, Organisation, User
from madoguchi.core import periodic
from madoguchi.tickets import services, sla
from madoguchi.tickets.models import (
    BusinessCalendar,
    BusinessHours,
    Priority,
    RequestType,
    SlaEvent,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
)
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import make_ticket
from tests.support.smtp import RecordingHandler, plain_body

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
# A Friday afternoon in Tokyo.
FRIDAY_5PM = datetime(2026, 11, 27, 17, 0, tzinfo=TOKYO)
MONDAY_9AM = datetime(2026, 11, 30, 9, 0, tzinfo=TOKYO)


def make_policy(name: str = "Standard", **fields: object) -> SlaPolicy:
    policy = SlaPolicy(name_en=name, **fields)
    policy.full_clean()
    policy.save()
    return policy


@pytest.fixture
def office() -> BusinessCalendar:
    """Tokyo office hours: Monday to Friday, 9:00 to 18:00."""
    calendar = BusinessCalendar.objects.create(name="Tokyo office")
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar, weekday=weekday, start=time(9), end=time(18)
        )
    return calendar


def target(ticket: Ticket, metric: str) -> SlaTarget:
    return ticket.sla_targets.filter(metric=metric).latest("pk")


def reply(ticket: Ticket, author: User, **fields: object) -> None:
    services.reply_add(ticket, NewReply(author=author, body="Thanks.", **fields))
    ticket.refresh_from_db()


def test_the_most_specific_policy_wins_and_position_breaks_ties(
    alice: User, org_a: Organisation, request_type: RequestType
) -> None:
    make_policy("Anything", resolution_minutes=600)
    make_policy("Urgent", priority=Priority.URGENT, first_response_minutes=30)
    by_org = make_policy("Acme", organisation=org_a, first_response_minutes=60, position=2)
    by_type = make_policy("Returns", request_type=request_type, first_response_minutes=90)
    both = make_policy("Acme returns", organisation=org_a, request_type=request_type)
    make_policy("Retired", organisation=org_a, request_type=request_type, is_active=False)

    assert sla.policy_for(make_ticket(alice)) == by_org
    assert sla.policy_for(make_ticket(alice, request_type=request_type)) == both
    both.delete()
    by_org.position, by_type.position = 0, 1
    by_org.save(), by_type.save()
    assert sla.policy_for(make_ticket(alice, request_type=request_type)) == by_org


def test_no_policy_means_no_clock(alice: User) -> None:
    ticket = make_ticket(alice)

    assert ticket.sla_policy is None and ticket.sla_due_at is None and ticket.sla_state == ""


def test_a_new_request_is_due_in_business_time(alice: User, office: BusinessCalendar) -> None:
    policy = make_policy(calendar=office, first_response_minutes=120, resolution_minutes=18 * 60)
    with time_machine.travel(FRIDAY_5PM, tick=False):
        ticket = make_ticket(alice)

    assert ticket.sla_policy == policy
    first = target(ticket, SlaMetric.FIRST_RESPONSE)
    assert first.due_at == MONDAY_9AM + timedelta(hours=1)
    # 80 % of two hours is 96 minutes: 60 on Friday, 36 on Monday.
    assert first.warn_at == MONDAY_9AM + timedelta(minutes=36)
    assert target(ticket, SlaMetric.RESOLUTION).due_at == datetime(2026, 12, 1, 17, 0, tzinfo=TOKYO)
    assert ticket.sla_due_at == first.due_at and ticket.sla_warn_at == first.warn_at


def test_minutes_before_warn_earlier_than_the_percentage(alice: User) -> None:
    make_policy(first_response_minutes=100, warn_percent=90, warn_minutes_before=30)
    with time_machine.travel(FRIDAY_5PM, tick=False):
        ticket = make_ticket(alice)

    assert ticket.sla_warn_at == FRIDAY_5PM + timedelta(minutes=70)


def test_an_agent_reply_meets_the_first_response_and_pending_pauses(
    alice: User, dave: User
) -> None:
    make_policy(first_response_minutes=60, resolution_minutes=600)
    with time_machine.travel(FRIDAY_5PM, tick=False):
        ticket = make_ticket(alice)
    with time_machine.travel(FRIDAY_5PM + timedelta(minutes=20), tick=False):
        reply(ticket, dave, internal=True)
        assert target(ticket, SlaMetric.FIRST_RESPONSE).is_open
        reply(ticket, dave)

    first = target(ticket, SlaMetric.FIRST_RESPONSE)
    assert first.completed_at == ticket.first_response_at and first.was_met
    assert ticket.status == Ticket.Status.PENDING and ticket.sla_state == "paused"
    assert ticket.sla_due_at == target(ticket, SlaMetric.RESOLUTION).due_at


def test_leaving_pending_moves_due_times_by_the_paused_business_time(
    alice: User, dave: User, office: BusinessCalendar
) -> None:
    make_policy(calendar=office, resolution_minutes=600, next_response_minutes=60)
    with time_machine.travel(FRIDAY_5PM, tick=False):
        ticket = make_ticket(alice)
    # Ten hours from Friday 17:00: one on Friday, nine on Monday.
    assert target(ticket, SlaMetric.RESOLUTION).due_at == MONDAY_9AM + timedelta(hours=9)
    with time_machine.travel(FRIDAY_5PM + timedelta(minutes=30), tick=False):
        reply(ticket, dave)
    # Paused from 17:30 on Friday to 10:00 on Monday: 30 + 60 business minutes.
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1), tick=False):
        reply(ticket, alice)

    assert ticket.status == Ticket.Status.OPEN and ticket.sla_paused_at is None
    resolution = target(ticket, SlaMetric.RESOLUTION)
    assert resolution.paused == timedelta(minutes=90)
    assert resolution.due_at == datetime(2026, 12, 1, 10, 30, tzinfo=TOKYO)
    following = target(ticket, SlaMetric.NEXT_RESPONSE)
    assert following.started_at == MONDAY_9AM + timedelta(hours=1)
    assert following.due_at == MONDAY_9AM + timedelta(hours=2)
    assert ticket.sla_due_at == following.due_at


def test_each_customer_message_waiting_for_an_answer_gets_its_own_next_response(
    alice: User, dave: User
) -> None:
    make_policy(next_response_minutes=60)
    ticket = make_ticket(alice)
    reply(ticket, alice)
    assert not ticket.sla_targets.exists()  # No answer yet: nothing "next" to wait for.
    reply(ticket, dave)
    reply(ticket, alice)
    reply(ticket, alice)
    reply(ticket, dave)
    reply(ticket, alice)

    waits = ticket.sla_targets.filter(metric=SlaMetric.NEXT_RESPONSE)
    assert waits.count() == 2
    assert [wait.is_open for wait in waits] == [False, True]


def test_on_hold_pauses_only_when_the_policy_says_so(alice: User, dave: User) -> None:
    policy = make_policy(resolution_minutes=600)
    ticket = make_ticket(alice)
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(status="on_hold"))
    assert ticket.sla_state == "on_track"

    policy.pause_on_hold = True
    policy.save()
    other = make_ticket(alice)
    services.ticket_update(other, actor=dave, changes=TicketChanges(status="on_hold"))
    assert other.sla_state == "paused"


def test_solving_stops_the_clock_and_a_reopen_resumes_the_resolution(
    alice: User, dave: User
) -> None:
    make_policy(first_response_minutes=60, resolution_minutes=600)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
    with time_machine.travel(start + timedelta(minutes=100), tick=False):
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(status="solved"))
    assert not ticket.sla_targets.filter(completed_at__isnull=True).exists()
    assert ticket.sla_due_at is None and ticket.sla_state == ""
    with time_machine.travel(start + timedelta(minutes=300), tick=False):
        reply(ticket, alice)

    resolution = target(ticket, SlaMetric.RESOLUTION)
    assert resolution.is_open and resolution.paused == timedelta(minutes=200)
    assert ticket.sla_due_at == start + timedelta(minutes=800)
    assert not target(ticket, SlaMetric.FIRST_RESPONSE).is_open


def test_a_new_priority_brings_the_policy_that_matches_it(alice: User, dave: User) -> None:
    make_policy("Normal", first_response_minutes=480)
    urgent = make_policy("Urgent", priority=Priority.URGENT, first_response_minutes=30)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(priority="urgent"))

    assert ticket.sla_policy == urgent
    first = target(ticket, SlaMetric.FIRST_RESPONSE)
    assert first.policy == urgent and first.due_at == start + timedelta(minutes=30)
    assert ticket.sla_targets.count() == 1


def test_a_policy_without_a_target_drops_it_and_one_with_it_adds_it(
    alice: User, dave: User
) -> None:
    make_policy("Normal", first_response_minutes=480)
    make_policy("Low", priority=Priority.LOW, resolution_minutes=6000)
    ticket = make_ticket(alice)
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(priority="low"))

    assert list(ticket.sla_targets.values_list("metric", flat=True)) == [SlaMetric.RESOLUTION]


def test_a_request_waiting_for_approval_starts_its_clock_when_approved(
    alice: User, bob: User, request_type: RequestType
) -> None:
    make_policy(first_response_minutes=60)
    request_type.needs_organisation_approval = True
    request_type.save()
    ticket = make_ticket(alice, request_type=request_type)
    assert not ticket.sla_targets.exists()

    services.approval_decide(ticket, by=bob, approve=True)
    ticket.refresh_from_db()
    assert ticket.sla_due_at is not None


def test_the_check_runs_every_minute() -> None:
    job = next(job for job in periodic.jobs() if job.name == "tickets.sla_check")
    assert job.every == timedelta(minutes=1)


def test_the_job_warns_then_breaches_each_once_and_mails_the_assignee(
    alice: User, dave: User, smtp_server: RecordingHandler
) -> None:
    make_policy(first_response_minutes=60)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice, subject="Printer on fire")
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(assignee=dave))
    smtp_server.messages.clear()

    with time_machine.travel(start + timedelta(minutes=47), tick=False):
        assert sla.targets_check() == 0
    with time_machine.travel(start + timedelta(minutes=48), tick=False):
        assert sla.targets_check() == 1
        assert sla.targets_check() == 0
        ticket.refresh_from_db()
        assert ticket.sla_state == "at_risk"
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert sla.targets_check() == 1
        assert sla.targets_check() == 0
        ticket.refresh_from_db()
        assert ticket.sla_state == "breached"

    assert list(ticket.sla_events.values_list("kind", flat=True)) == [
        SlaEvent.Kind.BREACH,
        SlaEvent.Kind.WARNING,
    ]
    warning, breach = smtp_server.messages
    assert warning["To"] == breach["To"] == "dave@example.com"
    assert warning["Subject"] == f"[#{ticket.pk}] SLA at risk (First response): Printer on fire"
    assert breach["Subject"] == f"[#{ticket.pk}] SLA breached (First response): Printer on fire"
    assert f"/agent/requests/{ticket.pk}/" in plain_body(breach)


def test_a_late_check_records_only_the_breach(alice: User, dave: User) -> None:
    make_policy(first_response_minutes=60)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert sla.targets_check() == 1

    assert list(ticket.sla_events.values_list("kind", flat=True)) == [SlaEvent.Kind.BREACH]


def test_paused_and_answered_targets_neither_warn_nor_breach(alice: User, dave: User) -> None:
    make_policy(first_response_minutes=60, resolution_minutes=120)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
        reply(ticket, dave)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        assert sla.targets_check() == 0


def test_unassigned_requests_alert_the_group_agents_who_want_it(
    alice: User, dave: User, erin: User, smtp_server: RecordingHandler
) -> None:
    make_policy(first_response_minutes=60)
    billing = Department.objects.create(name="Billing")
    billing.members.add(dave, erin)
    NotificationPreference.objects.create(
        user=erin, event="sla_breach", channel=notifications.Channel.EMAIL, enabled=False
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(department=billing))
    smtp_server.messages.clear()
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        sla.targets_check()

    assert [message["To"] for message in smtp_server.messages] == ["dave@example.com"]


def test_the_breach_mail_speaks_the_agent_language(
    alice: User, dave: User, smtp_server: RecordingHandler
) -> None:
    dave.language = "ja"
    dave.save()
    make_policy(first_response_minutes=60)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice, subject="印刷できません")
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(assignee=dave))
    smtp_server.messages.clear()
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        sla.targets_check()

    subject = smtp_server.messages[0]["Subject"]
    assert subject == f"[#{ticket.pk}] SLA 違反（初回応答）: 印刷できません"  # noqa: RUF001


def test_a_new_organisation_or_type_brings_its_policy(
    alice: User, org_b: Organisation, request_type: RequestType
) -> None:
    make_policy("Anything", first_response_minutes=480)
    returns = make_policy("Returns", request_type=request_type, first_response_minutes=60)
    globex = make_policy("Globex", organisation=org_b, first_response_minutes=30, position=1)
    ticket = make_ticket(alice)

    ticket.request_type = request_type
    sla.policy_recompute(ticket)
    assert ticket.sla_policy == returns
    ticket.request_type, ticket.organisation = None, org_b
    sla.policy_recompute(ticket)
    ticket.refresh_from_db()
    assert ticket.sla_policy == globex
    assert ticket.sla_due_at == ticket.created_at + timedelta(minutes=30)


def test_the_worker_beat_runs_the_check(alice: User, dave: User) -> None:
    make_policy(first_response_minutes=60)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
    later = start + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        assert "tickets.sla_check" in periodic.enqueue_due(later)

    assert ticket.sla_events.get().kind == SlaEvent.Kind.BREACH


def test_the_demo_request_runs_under_the_standard_policy() -> None:
    call_command("demo", verbosity=0)

    ticket = Ticket.objects.get()
    assert ticket.sla_policy.name_en == "Standard"
    assert ticket.sla_policy.calendar.holidays.count() >= 34
    assert ticket.sla_targets.count() == 2


def test_a_replayed_check_queues_each_alert_once(
    alice: User, dave: User, db_task_backend: None
) -> None:
    """F17: the job run again (a retry, a replay, a second worker) adds no event and no mail."""
    make_policy(first_response_minutes=60)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(alice)
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(assignee=dave))
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        recorded = [sla.targets_check() for _run in range(3)]

    assert recorded == [1, 0, 0]
    alerts = [
        mail
        for task in DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.write_mails_task")
        for mail in task.args_kwargs["args"][0]
        if mail["writer"].endswith(":sla_alert") and mail["arguments"]["agent"]["pk"] == dave.pk
    ]
    assert len(alerts) == 1


def test_a_policy_that_arrives_while_pending_starts_paused(alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    reply(ticket, dave)
    assert ticket.status == Ticket.Status.PENDING
    make_policy("Urgent", priority=Priority.URGENT, resolution_minutes=60)

    services.ticket_update(ticket, actor=dave, changes=TicketChanges(priority="urgent"))

    assert ticket.sla_state == "paused"


def test_a_merged_duplicate_stops_its_clock(alice: User, bob: User, dave: User) -> None:
    """Closed by the merge, the duplicate never warns or breaches; the target's clock runs on."""
    make_policy(first_response_minutes=60, resolution_minutes=120)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        duplicate = make_ticket(alice, subject="Printer jammed again")
        kept = make_ticket(bob, subject="The printer is jammed")
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        services.ticket_merge(duplicate, kept, actor=dave)
    duplicate.refresh_from_db()

    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert sla.targets_check() == 2  # the target's first response and resolution

    assert duplicate.sla_due_at is None
    assert not duplicate.sla_targets.filter(completed_at__isnull=True).exists()
    assert not duplicate.sla_events.exists()
    assert kept.sla_events.count() == 2
