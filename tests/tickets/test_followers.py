import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.core.errors import DomainError
from madoguchi.tickets import services
from madoguchi.tickets.services import NewReply
from tests.factories import add_member, make_ticket, make_user

pytestmark = pytest.mark.django_db


def test_a_colleague_copied_in_sees_the_request_and_gets_replies(
    alice: User, bob: User, dave: User
) -> None:
    colleague = make_user("casey@example.com")
    add_member(colleague, alice.memberships.get().organisation)
    ticket = make_ticket(alice)

    services.follower_add(ticket, by=alice, follower=colleague)
    mail.outbox.clear()
    services.reply_add(ticket, NewReply(author=dave, body="Answer"))

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "casey@example.com"]


@pytest.mark.parametrize("who", ["carol", "alice"])
def test_only_colleagues_other_than_the_requester_can_be_copied_in(
    alice: User, who: str, request: pytest.FixtureRequest
) -> None:
    ticket = make_ticket(alice)

    with pytest.raises(DomainError):
        services.follower_add(ticket, by=alice, follower=request.getfixturevalue(who))

    assert not ticket.followers.exists()


def test_only_the_requester_or_an_agent_copies_people_in(
    alice: User, bob: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    colleague = make_user("casey@example.com")
    add_member(colleague, alice.memberships.get().organisation)

    with pytest.raises(DomainError):
        services.follower_add(ticket, by=bob, follower=colleague)
    services.follower_add(ticket, by=dave, follower=colleague)

    assert list(ticket.followers.all()) == [colleague]


def test_the_page_copies_in_and_a_follower_leaves(client: Client, alice: User, bob: User) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)
    url = reverse("tickets:followers", args=[ticket.pk])

    page = client.post(url, {"action": "add", "user": bob.pk}, follow=True)
    assert "Bob Example is now copied in." in page.content.decode()
    client.force_login(bob)
    left = client.post(url, {"action": "remove", "user": bob.pk}, follow=True)

    assert "Bob Example is no longer copied in." in left.content.decode()
    assert not ticket.followers.exists()


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_missing_or_unknown_person_gets_a_clear_message(
    client: Client, alice: User, value: str
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)

    page = client.post(
        reverse("tickets:followers", args=[ticket.pk]),
        {"action": "add", "user": value},
        follow=True,
        headers={"accept-language": "ja"},
    )

    assert "依頼者の組織の同僚を選んでください。" in page.content.decode()


def test_another_organisation_person_cannot_be_named(
    client: Client, alice: User, carol: User
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)

    client.post(reverse("tickets:followers", args=[ticket.pk]), {"action": "add", "user": carol.pk})

    assert not ticket.followers.exists()
