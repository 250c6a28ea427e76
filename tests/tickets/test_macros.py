"""Macros: placeholders filled safely, the changes they stage sent with the reply."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.accounts.models import Department, User
from madoguchi.branding.models import Brand
from madoguchi.tickets import macros, selectors, services
from madoguchi.tickets.models import Macro, Priority, Ticket
from tests.factories import make_ticket, make_user

pytestmark = pytest.mark.django_db

GREETING = (
    "Dear {{requester.first_name}} ({{ requester.name }}), about {{ticket.number}} "
    "“{{ticket.subject}}” from {{organisation.name}} at {{brand.name}}: {{agent.name}}."
)


@pytest.fixture
def ticket(alice: User) -> Ticket:
    return make_ticket(alice, subject="Invoice missing")


@pytest.fixture
def agent(client: Client, dave: User) -> Client:
    client.force_login(dave)
    return client


def test_known_placeholders_are_filled(ticket: Ticket, dave: User) -> None:
    rendered = macros.render(GREETING, ticket, dave)

    assert rendered.body == (
        f"Dear Alice (Alice Example), about {ticket.number} “Invoice missing” from "
        f"Acme Corporation at {ticket.brand.name}: Dave Agent."
    )
    assert rendered.unknown == []


def test_unknown_placeholders_and_template_code_stay_as_typed(ticket: Ticket, dave: User) -> None:
    body = "{{ requester.password }} {{settings.SECRET_KEY}} {% debug %} {{requester.password}}"

    rendered = macros.render(body, ticket, dave)

    assert rendered.body == body
    assert rendered.unknown == ["requester.password", "settings.SECRET_KEY"]


def test_a_requester_without_a_name_is_greeted_by_their_address(dave: User) -> None:
    nameless = make_user("kenji@example.com")

    rendered = macros.render("{{requester.first_name}}", make_ticket(nameless), dave)

    assert rendered.body == "kenji"


def test_agents_are_offered_shared_macros_and_only_their_own(ticket: Ticket, dave: User) -> None:
    other_agent = make_user("olga@example.com", is_staff=True)
    other_brand = Brand.objects.create(name="Other", host="other.example")
    shared = Macro.objects.create(name="Shared", body="x")
    mine = Macro.objects.create(name="Mine", body="x", owner=dave)
    Macro.objects.create(name="Olga's", body="x", owner=other_agent)
    Macro.objects.create(name="Other brand", body="x", brand=other_brand)
    Macro.objects.create(name="Retired", body="x", is_active=False)
    this_brand = Macro.objects.create(name="This brand", body="x", brand=ticket.brand)

    assert list(selectors.macros_for(dave, ticket)) == [mine, shared, this_brand]


def test_applying_a_macro_fills_the_reply_and_stages_its_changes(
    agent: Client, ticket: Ticket, dave: User
) -> None:
    billing = Department.objects.create(name="Billing")
    macro = Macro.objects.create(
        name="Invoice resent",
        body="Hello {{requester.first_name}}, we resent {{ticket.number}}. {{ticket.colour}}",
        set_status=Ticket.Status.SOLVED,
        set_priority=Priority.HIGH,
        add_tags="invoice, resent",
        assign_to_me=True,
        set_department=billing,
    )
    url = reverse("agent:detail", args=[ticket.pk])
    mail.outbox.clear()

    response = agent.post(
        url, {"reply": "1", "apply_macro": "1", "macro": macro.pk, "body": "Thanks for waiting."}
    )

    assert response.status_code == 200
    form = response.context["reply_form"]
    assert not form.is_bound
    assert form.initial["body"] == (
        f"Thanks for waiting.\n\nHello Alice, we resent {ticket.number}. {{{{ticket.colour}}}}"
    )
    assert form.initial["status"] == "solved" and form.initial["priority"] == "high"
    assert form.initial["add_tags"] == "invoice, resent"
    assert form.initial["assign_to_me"] is True and form.initial["department"] == billing.pk
    assert response.context["macro_result"].unknown == ["ticket.colour"]
    assert "ticket.colour" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.messages.count() == 1 and ticket.priority == Priority.NORMAL  # nothing sent
    assert mail.outbox == []


def test_sending_applies_the_staged_changes_with_the_reply(
    agent: Client, ticket: Ticket, dave: User
) -> None:
    ticket.tags.set(services._tags(["vip"]))
    billing = Department.objects.create(name="Billing")
    mail.outbox.clear()

    response = agent.post(
        reverse("agent:detail", args=[ticket.pk]),
        {
            "reply": "1",
            "body": "Hello Alice, we resent it.",
            "status": "solved",
            "priority": "high",
            "add_tags": "invoice resent",
            "department": billing.pk,
            "assign_to_me": "on",
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved" and ticket.priority == "high"
    assert ticket.assignee == dave and ticket.department == billing
    assert sorted(tag.name for tag in ticket.tags.all()) == ["invoice", "resent", "vip"]
    assert ticket.messages.last().body == "Hello Alice, we resent it."
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_failed_reply_applies_none_of_the_changes(
    agent: Client, ticket: Ticket, dave: User
) -> None:
    services.ticket_update(ticket, actor=dave, changes=services.TicketChanges(status="closed"))

    response = agent.post(
        reverse("agent:detail", args=[ticket.pk]),
        {"reply": "1", "body": "Too late", "priority": "urgent", "add_tags": "late"},
    )

    assert response.status_code == 422
    assert "This request is closed" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL and not ticket.tags.exists()


def test_applying_another_agents_personal_macro_is_refused(agent: Client, ticket: Ticket) -> None:
    olga = make_user("olga@example.com", is_staff=True)
    private = Macro.objects.create(name="Olga's", body="Secret {{agent.name}}", owner=olga)

    response = agent.post(
        reverse("agent:detail", args=[ticket.pk]),
        {"reply": "1", "apply_macro": "1", "macro": private.pk, "body": "Mine"},
    )

    assert response.status_code == 422
    assert "Choose a macro to apply." in response.content.decode()
    assert response.context["reply_form"].initial["body"] == "Mine"


def test_agents_keep_personal_macros(agent: Client, dave: User) -> None:
    url = reverse("agent:macros")
    data = {"name": "Thanks", "body": "Thank you, {{requester.first_name}}.", "set_status": ""}

    assert agent.post(url, {**data, "set_priority": "", "add_tags": ""}).status_code == 302
    macro = Macro.objects.get(owner=dave)
    assert macro.body == data["body"]
    changed = {**data, "edit": macro.pk, "name": "Thanks!", "set_priority": "", "add_tags": "x"}
    assert agent.post(url, changed).status_code == 302
    macro.refresh_from_db()
    assert macro.name == "Thanks!" and macro.add_tags == "x"
    assert agent.post(url, {"edit": macro.pk, "delete": "1"}).status_code == 302
    assert not Macro.objects.exists()


def test_agents_cannot_touch_another_agents_macro(agent: Client) -> None:
    olga = make_user("olga@example.com", is_staff=True)
    private = Macro.objects.create(name="Olga's", body="x", owner=olga)
    shared = Macro.objects.create(name="Shared", body="x")
    url = reverse("agent:macros")

    assert agent.get(url, {"edit": private.pk}).status_code == 404
    assert agent.post(url, {"edit": shared.pk, "delete": "1"}).status_code == 404
    assert Macro.objects.count() == 2


def test_a_macro_without_a_name_is_refused_next_to_the_field(agent: Client) -> None:
    response = agent.post(reverse("agent:macros"), {"name": "", "body": "Kept text"})

    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert "Kept text" in response.content.decode()


def test_admins_keep_shared_macros_in_the_admin(client: Client, erin: User, dave: User) -> None:
    client.force_login(erin)
    Macro.objects.create(name="Personal", body="x", owner=dave)

    response = client.post(
        reverse("admin:tickets_macro_add"),
        {"name": "Refund", "body": "Dear {{requester.name}}", "is_active": "on", "add_tags": ""},
    )

    assert response.status_code == 302
    assert Macro.objects.get(name="Refund").is_shared
    listing = client.get(reverse("admin:tickets_macro_changelist"), {"owner__isempty": "1"})
    assert listing.status_code == 200
    assert "Refund" in listing.content.decode() and "Personal" not in listing.content.decode()


def test_the_request_page_costs_the_same_queries_for_more_macros(
    agent: Client, ticket: Ticket, dave: User
) -> None:
    url = reverse("agent:detail", args=[ticket.pk])
    Macro.objects.create(name="One", body="x")
    agent.get(url)
    with CaptureQueriesContext(connection) as few:
        agent.get(url)
    for number in range(10):
        Macro.objects.create(name=f"Shared {number}", body="x")
        Macro.objects.create(name=f"Mine {number}", body="x", owner=dave)

    with CaptureQueriesContext(connection) as many:
        response = agent.get(url)

    assert len(response.context["macros"]) == 21
    assert len(many) == len(few)
