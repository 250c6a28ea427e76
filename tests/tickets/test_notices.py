"""Ticket events reach people in the portal and by mail, each as the person chose."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from madoguchi.accounts import notifications
from madoguchi.accounts.models import Department, Notification, User
from madoguchi.tickets import notices, services
from madoguchi.tickets.models import RequestType, Ticket
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import make_ticket, make_user
from tests.support.smtp import RecordingHandler
from tests.support.worker import RunClaimed

pytestmark = pytest.mark.django_db

WEB = notifications.Channel.WEB
EMAIL = notifications.Channel.EMAIL


@pytest.fixture
def ticket(alice: User) -> Ticket:
    ticket = make_ticket(alice, subject="Printer")
    mail.outbox.clear()
    return ticket


def _kinds(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_reply_reaches_the_customer_in_the_portal_and_by_mail(
    ticket: Ticket, alice: User, dave: User
) -> None:
    services.reply_add(ticket, NewReply(author=dave, body="Try this."))

    note = Notification.objects.get(recipient=alice)
    assert (note.event, note.url, note.read_at) == (
        "request_reply",
        f"/requests/{ticket.pk}/",
        None,
    )
    assert notifications.text_of(note) == f"New reply on #{ticket.pk}: Printer"
    assert [sent.to for sent in mail.outbox] == [["alice@example.com"]]


def test_the_reply_mail_links_the_replys_files(ticket: Ticket, alice: User, dave: User) -> None:
    files = [SimpleUploadedFile("手順書.pdf", b"%PDF-1.4 " + b"x" * 2048)]

    services.reply_add(ticket, NewReply(author=dave, body="See the guide.", files=files))

    (sent,) = mail.outbox
    file = ticket.attachments.get()
    link = f"/requests/{ticket.pk}/attachments/{file.pk}/"
    assert "手順書.pdf (2.0\xa0KB): http" in sent.body and link in sent.body
    html = sent.alternatives[0].content
    assert f'{link}">手順書.pdf</a>' in html


def test_the_customer_side_hears_each_others_replies_and_the_assignee_hears_theirs(
    ticket: Ticket, alice: User, bob: User, dave: User
) -> None:
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(assignee=dave))
    services.follower_add(ticket, by=alice, follower=bob)
    Notification.objects.all().delete()
    mail.outbox.clear()

    services.reply_add(ticket, NewReply(author=bob, body="Same here on floor 3."))
    services.reply_add(ticket, NewReply(author=alice, body="Thanks, Bob."))

    assert _kinds(alice) == ["request_reply"]
    assert _kinds(bob) == ["request_reply"]
    assert _kinds(dave) == ["request_reply", "request_reply"]
    assert sorted(sent.to[0] for sent in mail.outbox) == [
        "alice@example.com",
        "bob@example.com",
        "dave@example.com",
        "dave@example.com",
    ]


def test_while_nobody_is_assigned_the_group_hears_the_customer(
    alice: User, dave: User, erin: User, request_type: RequestType
) -> None:
    billing = Department.objects.create(name="Billing", assignment=Department.Assignment.NONE)
    billing.members.set([dave, erin])
    request_type.department = billing
    request_type.save()
    ticket = make_ticket(alice, request_type=request_type)
    assert ticket.assignee is None
    Notification.objects.all().delete()

    services.reply_add(ticket, NewReply(author=alice, body="Any news?"))

    assert _kinds(dave) == _kinds(erin) == ["request_reply"]
    assert _kinds(alice) == []


def test_each_channel_follows_its_own_preference(ticket: Ticket, alice: User, dave: User) -> None:
    notifications.preferences_set(alice, enabled={("request_reply", EMAIL)})
    services.reply_add(ticket, NewReply(author=dave, body="By mail only."))
    assert _kinds(alice) == []
    assert len(mail.outbox) == 1

    mail.outbox.clear()
    notifications.preferences_set(alice, enabled={("request_reply", WEB)})
    services.reply_add(ticket, NewReply(author=dave, body="In the portal only."))
    assert _kinds(alice) == ["request_reply"]
    assert mail.outbox == []


def test_internal_notes_notify_nobody(ticket: Ticket, alice: User, dave: User) -> None:
    services.reply_add(ticket, NewReply(author=dave, body="VIP", internal=True))

    assert not Notification.objects.exists()


def test_the_text_is_in_the_language_of_the_reader_when_read(
    ticket: Ticket, alice: User, dave: User
) -> None:
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(status="solved"))
    note = Notification.objects.get(recipient=alice)

    with translation.override("ja"):
        japanese = notifications.text_of(note)

    assert notifications.text_of(note) == f"Your request #{ticket.pk} was solved: Printer"
    assert japanese.startswith(f"ご依頼 #{ticket.pk}")


def test_an_agent_hears_of_a_request_assigned_to_them_but_not_when_they_take_it(
    ticket: Ticket, dave: User, erin: User
) -> None:
    services.ticket_update(ticket, actor=erin, changes=TicketChanges(assignee=dave))
    services.ticket_update(ticket, actor=erin, changes=TicketChanges(assignee=erin))

    assert _kinds(dave) == ["request_assigned"]
    assert _kinds(erin) == []
    assert Notification.objects.get(recipient=dave).url == f"/agent/requests/{ticket.pk}/"
    assert [sent.to for sent in mail.outbox] == [["dave@example.com"]]
    assert mail.outbox[0].subject == f"[#{ticket.pk}] #{ticket.pk} was assigned to you: Printer"


def test_the_group_hears_of_a_new_request_and_the_assignee_of_its_assignment(
    alice: User, dave: User, erin: User, request_type: RequestType
) -> None:
    billing = Department.objects.create(
        name="Billing", assignment=Department.Assignment.ROUND_ROBIN
    )
    billing.members.set([dave, erin])
    request_type.department = billing
    request_type.save()

    make_ticket(alice, request_type=request_type)

    assert _kinds(dave) == ["request_assigned"]
    assert _kinds(erin) == ["group_request"]
    text = notifications.text_of(Notification.objects.get(recipient=erin))
    assert "in Billing" in text


def test_agents_turn_group_mail_off_and_keep_the_bell(
    alice: User, dave: User, request_type: RequestType
) -> None:
    billing = Department.objects.create(name="Billing")
    billing.members.set([dave])
    request_type.department = billing
    request_type.save()
    notifications.preferences_set(dave, enabled={("group_request", WEB)})
    mail.outbox.clear()

    make_ticket(alice, request_type=request_type)

    assert _kinds(dave) == ["group_request"]
    assert [sent.to for sent in mail.outbox] == [["alice@example.com"]]


def test_approval_asked_and_decided_reach_the_admin_and_the_requester(
    alice: User, bob: User, request_type: RequestType
) -> None:
    request_type.needs_organisation_approval = True
    request_type.save()
    ticket = make_ticket(alice, request_type=request_type)
    assert _kinds(bob) == ["approval_asked"]

    services.approval_decide(ticket, by=bob, approve=False)

    assert _kinds(alice) == ["request_declined"]


def test_customers_are_not_offered_the_agents_events(alice: User, dave: User) -> None:
    customer_events = {event.key for event in notifications.event_types(alice)}
    agent_events = {event.key for event in notifications.event_types(dave)}

    assert "request_assigned" not in customer_events
    assert {"request_assigned", "group_request"} <= agent_events


def test_an_sla_notice_names_its_target_in_the_reader_language() -> None:
    params = {"number": "#7", "subject": "Printer", "target": "first_response"}

    english = notifications.text_for("sla_breach", params)
    with translation.override("ja"):
        japanese = notifications.text_for("sla_breach", params)

    assert "First response" in english
    assert "first_response" not in japanese
    assert "First response" not in japanese


def _group_of(size: int) -> tuple[Department, list[User]]:
    group = Department.objects.create(name=f"Group of {size}")
    agents = [make_user(f"agent{size}-{n}@example.com", is_staff=True) for n in range(size)]
    group.members.set(agents)
    return group, agents


def _tell(requester: User, group: Department) -> int:
    """Tell the group of a new request; return the queries it took."""
    ticket = make_ticket(requester)
    ticket.department = group
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as captured:
        notices.arrived_in_group(ticket)
    return len(captured)


def test_telling_a_group_reads_choices_and_writes_notifications_once_for_all(
    alice: User,
) -> None:
    small, few = _group_of(2)
    large, many = _group_of(12)
    for agent in [*few, *many]:
        notifications.preferences_set(agent, enabled={("group_request", WEB)})

    assert _tell(alice, large) == _tell(alice, small)
    assert all(_kinds(agent) == ["group_request"] for agent in many)


def test_telling_a_group_honours_each_agents_choice(alice: User) -> None:
    group, agents = _group_of(4)
    notifications.preferences_set(agents[0], enabled={("group_request", EMAIL)})
    notifications.preferences_set(agents[1], enabled=set())

    _tell(alice, group)

    assert [_kinds(agent) for agent in agents] == [[], [], ["group_request"], ["group_request"]]
    mailed = sorted(address for sent in mail.outbox for address in sent.to)
    assert mailed == sorted(agent.email for agent in (agents[0], *agents[2:]))


@pytest.mark.usefixtures("db_task_backend")
def test_a_groups_mails_are_one_task_for_the_worker_whatever_its_size(
    alice: User, run_claimed: RunClaimed, smtp_server: RecordingHandler
) -> None:
    small, _few = _group_of(2)
    large, many = _group_of(12)
    assert _tell(alice, large) == _tell(alice, small)
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(department=large)
    ticket.refresh_from_db()
    DBTaskResult.objects.all().delete()

    notices.arrived_in_group(ticket)

    (writing,) = DBTaskResult.objects.all()  # Nothing is written before the worker runs this.
    assert writing.task_path == "madoguchi.core.tasks.write_mails_task"
    assert run_claimed(writing.pk).return_value == len(many)
    for send in DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.send_mail_task"):
        run_claimed(send.pk)
    mailed = sorted(address for sent in smtp_server.messages for address in sent["To"].split(", "))
    assert mailed == sorted(agent.email for agent in many)


@pytest.mark.usefixtures("db_task_backend")
def test_a_new_requests_mails_are_one_task_row(alice: User, request_type: RequestType) -> None:
    group, agents = _group_of(3)
    group.assignment = Department.Assignment.ROUND_ROBIN
    group.save()
    request_type.department = group
    request_type.save()

    ticket = make_ticket(alice, request_type=request_type)

    (writing,) = DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.write_mails_task")
    mails = writing.args_kwargs["args"][0]
    # The confirmation, the assignee's notice and the group's (the two others).
    assert len(mails) == 4
    assert {mail["arguments"].get("recipient", {}).get("pk") for mail in mails} >= {
        agent.pk for agent in agents
    }
    assert ticket.assignee == agents[0]
