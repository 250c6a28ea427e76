"""Staff decide on held registrations in the admin: a filter, two actions, a confirmation."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.core.models import AuditEvent
from tests.factories import make_user
from tests.support.smtp import plain_body

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def waiting(db: None) -> User:
    return make_user("waiting@example.com", name="Wai Ting", approval=User.Approval.PENDING)


@pytest.fixture
def team_lead(db: None) -> User:
    user = make_user("lead@example.com", name="Team Lead", is_staff=True)
    user.groups.add(Group.objects.get(name="Team lead"))
    return user


def _act(client: Client, action: str, *people: User, confirmed: bool = False, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in people]}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(CHANGELIST, data, **extra)


def test_the_list_filters_registrations_waiting_for_approval(
    client: Client, erin: User, alice: User, waiting: User
) -> None:
    client.force_login(erin)

    body = client.get(CHANGELIST, {"approval__exact": "pending"}).content.decode()

    assert "waiting@example.com" in body
    assert "alice@example.com" not in body


@pytest.mark.parametrize(
    ("language", "question"),
    [("en", "will be let into the portal"), ("ja", "ポータルの利用を許可")],
)
def test_approving_asks_for_confirmation_first(
    client: Client, team_lead: User, waiting: User, language: str, question: str
) -> None:
    client.force_login(team_lead)

    response = _act(client, "approve_users", waiting, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert question in response.content.decode()
    assert "waiting@example.com" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.approval == User.Approval.PENDING


def test_a_team_lead_approves_and_the_person_is_mailed(
    client: Client, smtp_server, team_lead: User, waiting: User
) -> None:
    client.force_login(team_lead)

    response = _act(client, "approve_users", waiting, confirmed=True, follow=True)

    assert "1 registration approved." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.approval == User.Approval.APPROVED
    [message] = smtp_server.messages
    assert "approved" in plain_body(message)
    assert AuditEvent.objects.get(action="user.approved").actor == team_lead


def test_rejecting_mails_the_person(client: Client, smtp_server, erin: User, waiting: User) -> None:
    client.force_login(erin)

    _act(client, "reject_users", waiting, confirmed=True)

    waiting.refresh_from_db()
    assert waiting.approval == User.Approval.REJECTED
    assert "not been approved" in plain_body(smtp_server.messages[0])
    assert AuditEvent.objects.filter(action="user.rejected").count() == 1


def test_an_agent_without_the_permission_cannot_approve(
    client: Client, smtp_server, waiting: User
) -> None:
    agent = make_user("agent@example.com", is_staff=True)
    agent.groups.add(Group.objects.get(name="Agent"))
    client.force_login(agent)

    listed = client.get(CHANGELIST).content.decode()
    _act(client, "approve_users", waiting, confirmed=True)

    assert "approve_users" not in listed
    waiting.refresh_from_db()
    assert waiting.approval == User.Approval.PENDING
    assert smtp_server.messages == []


def test_approval_cannot_be_edited_by_hand(client: Client, erin: User, waiting: User) -> None:
    client.force_login(erin)

    page = client.get(reverse("admin:accounts_user_change", args=[waiting.pk])).content.decode()

    assert 'name="approval"' not in page
