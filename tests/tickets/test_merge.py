"""Merging a duplicate request: the conversation moves, the source closes and points onward."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from madoguchi.accounts import notifications
from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.core.errors import DomainError
from madoguchi.core.models import AuditEvent
from madoguchi.tickets import selectors, services
from madoguchi.tickets.models import Attachment, Ticket
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import add_member, make_ticket, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(alice: User) -> Ticket:
    return make_ticket(alice, subject="Printer jammed again", description="Page 3 again.")


@pytest.fixture
def target(bob: User) -> Ticket:
    return make_ticket(bob, subject="The printer is jammed", description="It stopped.")


@pytest.fixture
def agent(client: Client, dave: User) -> Client:
    client.force_login(dave)
    return client


def test_merging_moves_the_conversation_and_closes_the_source(
    source: Ticket, target: Ticket, dave: User, alice: User, erin: User
) -> None:
    services.reply_add(source, NewReply(author=dave, body="Checking.", internal=True))
    services.ticket_update(source, actor=dave, changes=TicketChanges(tags=["printer"]))
    source.followers.add(erin)
    mail.outbox.clear()

    services.ticket_merge(source, target, actor=dave)

    source.refresh_from_db()
    assert source.status == Ticket.Status.CLOSED and source.merged_into == target
    bodies = [message.body for message in target.messages.all()]
    # Moved messages keep their time, so both conversations interleave in order.
    assert bodies[:3] == ["Page 3 again.", "It stopped.", "Checking."]
    assert bodies[-1].startswith(f"{source.number} was merged into this request")
    notes = list(source.messages.values_list("body", "is_internal"))
    assert notes == [
        (f"This request was merged into {target.number}. The conversation continues there.", False),
        (f"Merged into {target.number} by Dave Agent.", True),
    ]
    assert set(target.followers.all()) == {alice, erin}
    assert [tag.name for tag in target.tags.all()] == ["printer"]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]
    assert all(target.reply_token in m.extra_headers["Reply-To"] for m in mail.outbox)
    event = AuditEvent.objects.get(action="ticket.merged")
    assert event.actor == dave and event.data == {"source": source.pk, "target": target.pk}


def test_the_customer_reads_the_whole_history_on_the_target(
    agent: Client, source: Ticket, target: Ticket, dave: User, alice: User
) -> None:
    services.reply_add(source, NewReply(author=dave, body="A public answer"))
    services.reply_add(source, NewReply(author=dave, body="Agents only", internal=True))
    services.ticket_merge(source, target, actor=dave)
    customer = Client()
    customer.force_login(alice)

    old_link = customer.get(reverse("tickets:detail", args=[source.pk]))
    assert old_link.status_code == 302
    assert old_link["Location"] == reverse("tickets:detail", args=[target.pk])
    page = customer.get(old_link["Location"]).content.decode()
    assert "Page 3 again." in page and "A public answer" in page and "It stopped." in page
    assert "Agents only" not in page and "was merged into this request" not in page


def test_files_move_with_their_messages(source: Ticket, target: Ticket, dave: User) -> None:
    Attachment.objects.create(
        ticket=source, name="scan.pdf", content_type="application/pdf", size=1, file="x.pdf"
    )

    services.ticket_merge(source, target, actor=dave)

    assert list(Attachment.objects.values_list("ticket", flat=True)) == [target.pk]


def test_a_mail_reply_to_the_source_lands_on_the_target(
    source: Ticket, target: Ticket, dave: User
) -> None:
    services.ticket_merge(source, target, actor=dave)
    later = make_ticket(target.requester, subject="Third")
    services.ticket_merge(target, later, actor=dave, across_organisations=True)

    assert selectors.ticket_for_reply_token(source.reply_token) == later
    assert selectors.ticket_for_reply_token(later.reply_token) == later
    assert selectors.ticket_for_reply_token("0" * 32) is None
    assert selectors.ticket_for_reply_token("") is None


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("itself", "cannot be merged into itself"),
        ("closed target", "not closed or merged"),
        ("merged source", "closed, so it cannot be merged"),
        ("other brand", "same brand"),
    ],
)
def test_merges_that_make_no_sense_are_refused(
    source: Ticket, target: Ticket, dave: User, situation: str, message: str
) -> None:
    into = target
    if situation == "itself":
        into = source
    elif situation == "closed target":
        services.ticket_update(target, actor=dave, changes=TicketChanges(status="closed"))
    elif situation == "merged source":
        services.ticket_merge(source, make_ticket(source.requester), actor=dave)
    elif situation == "other brand":
        Ticket.objects.filter(pk=target.pk).update(
            brand=Brand.objects.create(name="Other", host="other.example")
        )
        target.refresh_from_db()
    before = target.messages.count()

    with pytest.raises(DomainError, match=message):
        services.ticket_merge(source, into, actor=dave)

    target.refresh_from_db()
    assert target.messages.count() == before


def test_merging_across_organisations_needs_a_confirmation(
    source: Ticket, carol: User, dave: User
) -> None:
    other = make_ticket(carol, subject="Globex printer")

    with pytest.raises(services.MergeNeedsConfirmationError):
        services.ticket_merge(source, other, actor=dave)
    assert source.messages.count() == 1

    services.ticket_merge(source, other, actor=dave, across_organisations=True)
    assert source.requester in other.followers.all()


def test_customers_cannot_merge(source: Ticket, target: Ticket, alice: User) -> None:
    with pytest.raises(DomainError):
        services.ticket_merge(source, target, actor=alice)


def test_the_merge_mail_honours_preferences(
    source: Ticket, target: Ticket, alice: User, dave: User
) -> None:
    everything = set(notifications.preferences_for(alice))
    notifications.preferences_set(alice, enabled=everything - {("request_status", "email")})
    mail.outbox.clear()

    services.ticket_merge(source, target, actor=dave)

    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_the_same_requester_hears_once(alice: User, dave: User) -> None:
    first, second = make_ticket(alice), make_ticket(alice, subject="Again")
    mail.outbox.clear()

    services.ticket_merge(second, first, actor=dave)

    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert not first.followers.exists()


def test_the_merge_page_checks_then_merges(agent: Client, source: Ticket, target: Ticket) -> None:
    url = reverse("agent:merge", args=[source.pk])

    choose = agent.get(url)
    assert choose.status_code == 200 and target.subject in choose.content.decode()  # suggested
    check = agent.get(url, {"into": f"#{target.pk}"})
    assert check.status_code == 200 and check.context["target"] == target
    done = agent.post(url, {"into": target.pk})

    assert done.status_code == 302 and done["Location"] == reverse("agent:detail", args=[target.pk])
    source.refresh_from_db()
    assert source.merged_into == target
    banner = agent.get(reverse("agent:detail", args=[source.pk])).content.decode()
    assert f"This request was merged into {target.number}" in banner


def test_the_merge_page_asks_for_confirmation_across_organisations(
    agent: Client, source: Ticket, carol: User
) -> None:
    other = make_ticket(carol, subject="Globex printer")
    url = reverse("agent:merge", args=[source.pk])

    refused = agent.post(url, {"into": other.pk})
    assert refused.status_code == 422
    assert "different organisations" in refused.content.decode()
    assert agent.post(url, {"into": other.pk, "across_organisations": "on"}).status_code == 302


def test_the_merge_page_refuses_unknown_and_hidden_numbers(agent: Client, source: Ticket) -> None:
    waiting = make_user("wendy@example.com")
    add_member(waiting, source.organisation)
    hidden = make_ticket(waiting, subject="Hidden")
    Ticket.objects.filter(pk=hidden.pk).update(approval=Ticket.Approval.PENDING)
    url = reverse("agent:merge", args=[source.pk])

    for number in ("99999", "abc", str(hidden.pk)):
        response = agent.post(url, {"into": number})
        assert response.status_code == 422
        assert "No request with this number was found." in response.content.decode()
    source.refresh_from_db()
    assert source.merged_into is None


def test_other_organisations_do_not_follow_the_redirect(
    source: Ticket, carol: User, dave: User, client: Client
) -> None:
    other = make_ticket(carol, subject="Globex printer")
    services.ticket_merge(other, source, actor=dave, across_organisations=True)
    client.force_login(carol)

    # carol now follows the target, so she is sent there; alice's old request stays hers only.
    assert client.get(reverse("tickets:detail", args=[other.pk]))["Location"] == reverse(
        "tickets:detail", args=[source.pk]
    )
    outsider = make_user("olaf@example.com")
    client.force_login(outsider)
    assert client.get(reverse("tickets:detail", args=[other.pk])).status_code == 404
