import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.core.errors import DomainError
from madoguchi.tickets import services
from madoguchi.tickets.models import SatisfactionRating, Ticket
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(alice: User, dave: User) -> Ticket:
    ticket = make_ticket(alice, subject="Printer")
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(status="solved"))
    return ticket


def test_solving_mails_the_requester_a_rating_link(solved: Ticket) -> None:
    sent = mail.outbox[-1]

    assert sent.to == ["alice@example.com"]
    assert sent.subject == f"[#{solved.pk}] Solved: Printer"
    assert f"/requests/{solved.pk}/#rate" in sent.body


def test_solving_twice_mails_once(solved: Ticket, dave: User) -> None:
    count = len(mail.outbox)

    services.ticket_update(solved, actor=dave, changes=TicketChanges(status="solved"))

    assert len(mail.outbox) == count


def test_a_reply_that_solves_invites_the_rating_in_the_same_mail(alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    mail.outbox.clear()

    services.reply_add(ticket, NewReply(author=dave, body="Done.", status="solved"))

    (sent,) = mail.outbox
    assert f"/requests/{ticket.pk}/#rate" in sent.body


def test_the_requester_rates_and_may_change_the_rating(solved: Ticket, alice: User) -> None:
    services.rating_give(solved, user=alice, score="bad", comment=" Slow ")
    services.rating_give(solved, user=alice, score="good")

    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment, rating.rated_by) == ("good", "", alice)


def test_only_the_requester_rates_and_only_once_solved(
    solved: Ticket, bob: User, alice: User
) -> None:
    with pytest.raises(DomainError):
        services.rating_give(solved, user=bob, score="good")
    with pytest.raises(DomainError):
        services.rating_give(make_ticket(alice), user=alice, score="good")
    with pytest.raises(DomainError):
        services.rating_give(solved, user=alice, score="meh")

    assert not SatisfactionRating.objects.exists()


def test_the_request_page_takes_the_rating(client: Client, solved: Ticket, alice: User) -> None:
    client.force_login(alice)
    url = reverse("tickets:detail", args=[solved.pk])

    assert 'id="rate"' in client.get(url).content.decode()
    page = client.post(url, {"rate": "1", "score": "good", "comment": "Quick!"}, follow=True)

    assert page.redirect_chain[-1][0] == url + "#rate"
    assert "Thank you for rating the answer." in page.content.decode()
    assert SatisfactionRating.objects.get().comment == "Quick!"


def test_a_rating_without_a_choice_is_refused_in_japanese(
    client: Client, solved: Ticket, alice: User
) -> None:
    client.force_login(alice)

    response = client.post(
        reverse("tickets:detail", args=[solved.pk]),
        {"rate": "1", "comment": "?"},
        headers={"accept-language": "ja"},
    )

    assert response.status_code == 422
    assert "このフィールドは必須です。" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_no_rating_form_before_solving_or_for_others(
    client: Client, alice: User, bob: User, solved: Ticket
) -> None:
    client.force_login(alice)
    assert (
        'id="rate"'
        not in client.get(reverse("tickets:detail", args=[make_ticket(alice).pk])).content.decode()
    )
    client.force_login(bob)
    assert (
        'id="rate"' not in client.get(reverse("tickets:detail", args=[solved.pk])).content.decode()
    )


def test_agents_see_the_rating(client: Client, solved: Ticket, alice: User, dave: User) -> None:
    services.rating_give(solved, user=alice, score="bad", comment="Too slow")
    client.force_login(dave)

    body = client.get(reverse("agent:detail", args=[solved.pk])).content.decode()

    assert "Customer rating: Bad, I&#x27;m unsatisfied" in body and "Too slow" in body
