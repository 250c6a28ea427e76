"""Request types that need the organisation admin's approval before agents see the request."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.core import access
from madoguchi.core.errors import DomainError
from madoguchi.tickets import services
from madoguchi.tickets.models import RequestType, Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(alice: User, bob: User, request_type: RequestType) -> Ticket:
    request_type.needs_organisation_approval = True
    request_type.save()
    return make_ticket(alice, subject="New laptop", request_type=request_type)


def test_the_organisation_admins_are_asked_by_mail(waiting: Ticket) -> None:
    asked = [m for m in mail.outbox if m.to == ["bob@example.com"]]

    assert len(asked) == 1
    assert asked[0].subject == f"[#{waiting.pk}] Waiting for your approval: New laptop"
    assert f"/requests/{waiting.pk}/" in asked[0].body


def test_approving_shows_the_request_to_agents_and_tells_the_requester(
    waiting: Ticket, bob: User, dave: User
) -> None:
    assert waiting not in access.visible(dave, Ticket)
    mail.outbox.clear()

    services.approval_decide(waiting, by=bob, approve=True)

    assert waiting in access.visible(dave, Ticket)
    (told,) = mail.outbox
    assert told.to == ["alice@example.com"]
    assert "Bob Example approved your request" in told.body


def test_declining_closes_the_request_and_agents_never_see_it(
    waiting: Ticket, bob: User, dave: User
) -> None:
    services.approval_decide(waiting, by=bob, approve=False)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.approval) == ("closed", "rejected")
    assert waiting not in access.visible(dave, Ticket)


def test_only_an_admin_of_the_organisation_decides_and_only_once(
    waiting: Ticket, alice: User, bob: User, carol: User
) -> None:
    for outsider in (alice, carol):
        with pytest.raises(DomainError):
            services.approval_decide(waiting, by=outsider, approve=True)
    services.approval_decide(waiting, by=bob, approve=True)
    with pytest.raises(DomainError):
        services.approval_decide(waiting, by=bob, approve=False)

    waiting.refresh_from_db()
    assert waiting.approval == Ticket.Approval.APPROVED


def test_the_admin_approves_from_the_request_page_in_japanese(
    client: Client, waiting: Ticket, bob: User
) -> None:
    client.force_login(bob)
    url = reverse("tickets:detail", args=[waiting.pk])
    headers = {"accept-language": "ja"}

    assert "あなたの承認を待っています" in client.get(url, headers=headers).content.decode()
    page = client.post(
        reverse("tickets:approval", args=[waiting.pk]),
        {"decision": "approve"},
        headers=headers,
        follow=True,
    )

    assert "リクエストを承認しました。" in page.content.decode()
    waiting.refresh_from_db()
    assert waiting.approval == Ticket.Approval.APPROVED


def test_the_requester_sees_the_wait_but_no_buttons(
    client: Client, waiting: Ticket, alice: User
) -> None:
    client.force_login(alice)

    body = client.get(reverse("tickets:detail", args=[waiting.pk])).content.decode()
    refused = client.post(
        reverse("tickets:approval", args=[waiting.pk]), {"decision": "approve"}, follow=True
    )

    assert "Waiting for the organisation admin" in body
    assert 'value="approve"' not in body
    assert "Only an admin of the requester" in refused.content.decode()
