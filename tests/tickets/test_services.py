from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import Department, User
from madoguchi.branding.models import Brand
from madoguchi.tickets import services
from madoguchi.tickets.models import Priority, RequestType, Ticket
from tests.factories import make_ticket, make_user

pytestmark = pytest.mark.django_db


def test_a_request_starts_new_with_its_description_as_the_first_message(alice: User) -> None:
    ticket = make_ticket(alice, description="It **stopped** <script>x()</script>")

    assert ticket.status == Ticket.Status.NEW
    assert ticket.organisation == alice.memberships.get().organisation
    message = ticket.messages.get()
    assert message.author == alice
    assert (
        message.body_html == "<p>It <strong>stopped</strong> &lt;script&gt;x()&lt;/script&gt;</p>\n"
    )


def test_the_request_type_routes_and_prioritises(alice: User, request_type: RequestType) -> None:
    billing = Department.objects.create(name="Billing")
    request_type.department = billing
    request_type.default_priority = Priority.HIGH
    request_type.save()

    ticket = make_ticket(alice, request_type=request_type, answers={"order": "A-1"})

    assert (ticket.department, ticket.priority) == (billing, Priority.HIGH)
    assert ticket.answers == {"order": "A-1"}
    assert ticket.approval == Ticket.Approval.NOT_NEEDED


def test_a_type_needing_approval_waits_for_the_organisation_admin(
    alice: User, request_type: RequestType
) -> None:
    request_type.needs_organisation_approval = True
    request_type.save()

    assert make_ticket(alice, request_type=request_type).approval == Ticket.Approval.PENDING
    # Without an organisation there is nobody to approve: the request goes straight through.
    loner = make_user("solo@example.com")
    assert make_ticket(loner, request_type=request_type).approval == Ticket.Approval.NOT_NEEDED


@pytest.mark.parametrize(
    ("language", "subject"),
    [("en", "We received your request: Printer"), ("ja", "リクエストを受け付けました: Printer")],
)
def test_the_confirmation_mail_names_the_number_in_the_requester_language(
    language: str, subject: str
) -> None:
    requester = make_user("mail@example.com", language=language)

    ticket = make_ticket(requester, subject="Printer")

    (message,) = mail.outbox
    assert message.to == ["mail@example.com"]
    assert message.subject == f"[#{ticket.pk}] {subject}"
    assert f"/requests/{ticket.pk}/" in message.body


def test_mail_links_lead_to_the_portal_of_the_requests_brand(
    settings: Settings, alice: User, dave: User
) -> None:
    settings.SITE_URL = "https://portal.example.com"
    globex = Brand.objects.create(name="Globex", host="support.globex.example")
    theirs = services.ticket_create(
        services.NewRequest(brand=globex, requester=alice, subject="Printer", description="Jam")
    )
    ours = make_ticket(alice)
    services.reply_add(theirs, services.NewReply(author=dave, body="Try this."))

    bodies = [sent.body for sent in mail.outbox]

    assert f"https://support.globex.example/requests/{theirs.pk}/" in bodies[0]
    assert f"https://portal.example.com/requests/{ours.pk}/" in bodies[1]
    assert f"https://support.globex.example/requests/{theirs.pk}/" in bodies[2]
    assert not any(f"portal.example.com/requests/{theirs.pk}/" in body for body in bodies)


def test_nothing_is_left_when_the_mail_cannot_be_queued(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_queue(*args: object, **kwargs: object) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(services, "enqueue_later", broken_queue)

    with pytest.raises(RuntimeError):
        make_ticket(alice)

    assert not Ticket.objects.exists()


@pytest.mark.parametrize("status", [Ticket.Status.PENDING, Ticket.Status.SOLVED])
def test_a_customer_reply_reopens(alice: User, status: str) -> None:
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)

    services.reply_add(ticket, services.NewReply(author=alice, body="Still broken."))

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.solved_at is None
    assert [m.body for m in ticket.messages.all()][-1] == "Still broken."


def test_an_agent_reply_leaves_the_status_to_the_agent(alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.PENDING)

    services.reply_add(ticket, services.NewReply(author=dave, body="Try turning it off and on."))

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_a_closed_request_takes_no_reply(alice: User) -> None:
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)

    with pytest.raises(services.RequestClosedError):
        services.reply_add(ticket, services.NewReply(author=alice, body="Hello?"))

    assert ticket.messages.count() == 1


def test_the_demo_has_a_catalog_and_a_request_of_alice() -> None:
    call_command("demo", verbosity=0)

    ticket = Ticket.objects.get()
    assert ticket.requester.email == "alice@example.com"
    assert RequestType.objects.filter(is_active=True).count() == 2


def test_solved_requests_close_after_the_configured_days(alice: User, settings: object) -> None:
    settings.SOLVED_CLOSE_DAYS = 4
    old, recent, open_one = make_ticket(alice), make_ticket(alice), make_ticket(alice)
    now = timezone.now()
    Ticket.objects.filter(pk=old.pk).update(status="solved", solved_at=now - timedelta(days=5))
    Ticket.objects.filter(pk=recent.pk).update(status="solved", solved_at=now - timedelta(days=1))

    assert services.tickets_close_solved(now) == 1

    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "closed", recent.pk: "solved", open_one.pk: "new"}
