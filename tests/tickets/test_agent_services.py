import pytest
from django.core import mail

from madoguchi.accounts import notifications
from madoguchi.accounts.models import Department, User
from madoguchi.core.errors import DomainError
from madoguchi.tickets import services
from madoguchi.tickets.models import Priority, Ticket
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice: User) -> Ticket:
    ticket = make_ticket(alice, subject="Printer")
    mail.outbox.clear()
    return ticket


def test_an_agent_reply_waits_on_the_customer_and_mails_them_threaded(
    ticket: Ticket, dave: User, bob: User, settings: object
) -> None:
    settings.REPLY_ADDRESS = "help@example.com"
    ticket.followers.add(bob)

    message = services.reply_add(ticket, NewReply(author=dave, body="Try **this**."))

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert ticket.first_response_at == message.created_at
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]
    sent = mail.outbox[0]
    assert sent.subject == f"[#{ticket.pk}] New reply: Printer"
    assert sent.extra_headers["Reply-To"] == f"help+{ticket.reply_token}@example.com"
    assert sent.extra_headers["References"] == f"<madoguchi.request-{ticket.pk}@localhost>"
    assert "Try **this**." in sent.body
    assert "<strong>this</strong>" in sent.alternatives[0][0]


def test_the_reply_mail_speaks_the_customer_language(carol: User, dave: User) -> None:
    ticket = make_ticket(carol, subject="プリンター")
    mail.outbox.clear()

    services.reply_add(ticket, NewReply(author=dave, body="確認します。"))

    assert mail.outbox[0].subject == f"[#{ticket.pk}] 新しい返信: プリンター"


def test_an_internal_note_reaches_nobody_and_keeps_the_status(ticket: Ticket, dave: User) -> None:
    services.reply_add(ticket, NewReply(author=dave, body="Customer is VIP", internal=True))

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert ticket.first_response_at is None
    assert mail.outbox == []


def test_customers_cannot_write_internal_notes(ticket: Ticket, alice: User) -> None:
    with pytest.raises(DomainError):
        services.reply_add(ticket, NewReply(author=alice, body="x", internal=True))

    assert ticket.messages.count() == 1


def test_a_customer_reply_mails_the_assigned_agent(ticket: Ticket, alice: User, dave: User) -> None:
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(assignee=dave))

    services.reply_add(ticket, NewReply(author=alice, body="More details."))

    (sent,) = mail.outbox
    assert sent.to == ["dave@example.com"]
    assert f"/agent/requests/{ticket.pk}/" in sent.body


def test_the_agent_chooses_the_status_with_the_reply(ticket: Ticket, dave: User) -> None:
    services.reply_add(ticket, NewReply(author=dave, body="Fixed.", status=Ticket.Status.SOLVED))

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.solved_at is not None


def test_assigning_opens_a_new_request_and_tags_are_tidied(ticket: Ticket, dave: User) -> None:
    billing = Department.objects.create(name="Billing")

    services.ticket_update(
        ticket,
        actor=dave,
        changes=TicketChanges(
            assignee=dave,
            department=billing,
            priority=Priority.HIGH,
            tags=["VIP", "配送 遅延", "vip"],
        ),
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.department) == ("open", dave, billing)
    assert ticket.priority == Priority.HIGH
    assert sorted(tag.name for tag in ticket.tags.all()) == ["vip", "配送-遅延"]


def test_requests_go_to_active_agents_only(ticket: Ticket, dave: User, alice: User) -> None:
    with pytest.raises(DomainError):
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(assignee=alice))
    with pytest.raises(DomainError):
        services.ticket_update(ticket, actor=alice, changes=TicketChanges(status="solved"))

    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_unassigning_and_reopening_clear_what_they_should(ticket: Ticket, dave: User) -> None:
    services.ticket_update(
        ticket, actor=dave, changes=TicketChanges(assignee=dave, status="solved")
    )
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(unassign=True, status="open"))

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.solved_at is None


def test_a_bulk_change_is_all_or_nothing(alice: User, dave: User) -> None:
    first, second = make_ticket(alice), make_ticket(alice)

    with pytest.raises(DomainError):
        services.tickets_bulk_update(
            [first, second], actor=dave, changes=TicketChanges(priority="bogus")
        )
    count = services.tickets_bulk_update(
        [first, second], actor=dave, changes=TicketChanges(priority=Priority.URGENT)
    )

    assert count == 2
    assert set(Ticket.objects.values_list("priority", flat=True)) == {Priority.URGENT}


def test_replies_and_solved_mail_honour_the_notification_preferences(
    ticket: Ticket, alice: User, dave: User
) -> None:
    everything = set(notifications.preferences_for(alice))
    notifications.preferences_set(alice, enabled=everything - {("request_reply", "email")})

    services.reply_add(ticket, NewReply(author=dave, body="Quiet"))
    assert mail.outbox == []

    notifications.preferences_set(alice, enabled=everything - {("request_status", "email")})
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(status="solved"))
    assert mail.outbox == []
