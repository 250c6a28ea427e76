from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.models import Department, User
from madoguchi.tickets import services
from madoguchi.tickets.models import Priority, SlaPolicy, Ticket
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import make_request_type, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client: Client, dave: User) -> Client:
    client.force_login(dave)
    return client


def test_the_queue_counts_and_lists_each_view(agent: Client, alice: User, dave: User) -> None:
    mine = make_ticket(alice, subject="Mine")
    services.ticket_update(mine, actor=dave, changes=TicketChanges(assignee=dave))
    make_ticket(alice, subject="Nobody's")
    billing = Department.objects.create(name="Billing")
    billing.members.add(dave)
    grouped = make_ticket(alice, subject="Billing question")
    services.ticket_update(grouped, actor=dave, changes=TicketChanges(department=billing))

    response = agent.get(reverse("agent:queue"))
    counts = {"unassigned": 2, "mine": 1, "groups": 1, "all": 3, "at_risk": 0, "breached": 0}
    assert response.context["counts"] == counts
    body = response.content.decode()
    assert "Nobody&#x27;s" in body and "Billing question" in body and ">Mine<" not in body
    mine_only = agent.get(reverse("agent:queue"), {"queue": "mine"}).content.decode()
    assert ">Mine<" in mine_only and "Billing question" not in mine_only


def test_filters_and_sorting(agent: Client, alice: User, dave: User) -> None:
    urgent = make_ticket(alice, subject="Urgent one")
    services.ticket_update(urgent, actor=dave, changes=TicketChanges(priority=Priority.URGENT))
    solved = make_ticket(alice, subject="Done one")
    services.ticket_update(solved, actor=dave, changes=TicketChanges(status="solved"))
    make_ticket(alice, subject="Later one")

    by_priority = agent.get(reverse("agent:queue"), {"sort": "priority"})
    assert next(iter(by_priority.context["page"])).pk == urgent.pk
    assert "Done one" not in by_priority.content.decode()
    only_solved = agent.get(reverse("agent:queue"), {"queue": "all", "status": "solved"})
    assert [t.pk for t in only_solved.context["page"]] == [solved.pk]
    assert agent.get(reverse("agent:queue"), {"queue": "x", "sort": "y"}).status_code == 200


def _listed(agent: Client, **filters: object) -> list[str]:
    response = agent.get(reverse("agent:queue"), {"queue": "all", **filters})
    assert response.status_code == 200
    return sorted(ticket.subject for ticket in response.context["page"])


def test_the_queue_searches_by_subject_number_and_requester(
    agent: Client, alice: User, carol: User
) -> None:
    printer = make_ticket(alice, subject="Printer jam")
    make_ticket(carol, subject="請求書の再発行")

    assert _listed(agent, q="printer") == ["Printer jam"]
    assert _listed(agent, q=f"#{printer.pk}") == ["Printer jam"]
    assert _listed(agent, q="請求書") == ["請求書の再発行"]
    assert _listed(agent, q="²") == []  # a digit int() refuses is text, not a number
    assert _listed(agent, requester="山田") == ["請求書の再発行"]
    assert _listed(agent, requester="ALICE@example.com") == ["Printer jam"]
    # A whole address is one person, not every address that contains it.
    assert _listed(agent, requester="lice@example.com") == []
    assert _listed(agent, requester="example.com") == ["Printer jam", "請求書の再発行"]
    assert _listed(agent, requester="@example.com") == ["Printer jam", "請求書の再発行"]


def test_the_queue_filters_by_group_type_and_tag(agent: Client, alice: User, dave: User) -> None:
    billing = Department.objects.create(name="Billing")
    returns = make_request_type("Return an item")
    grouped = make_ticket(alice, subject="Grouped")
    services.ticket_update(grouped, actor=dave, changes=TicketChanges(department=billing))
    make_ticket(alice, subject="Typed", request_type=returns)
    tagged = make_ticket(alice, subject="Tagged")
    services.ticket_update(tagged, actor=dave, changes=TicketChanges(tags=["vip", "printer"]))

    assert _listed(agent, group=billing.pk) == ["Grouped"]
    assert _listed(agent, type=returns.pk) == ["Typed"]
    assert _listed(agent, tag="vip") == ["Tagged"]
    assert _listed(agent, tag="VIP ") == ["Tagged"]  # tags are kept as slugs
    assert _listed(agent, tag="vip", q="grouped") == []
    # Values that name nothing are no filter, never an error.
    assert len(_listed(agent, group="x", type="²", tag="")) == 3
    page = agent.get(reverse("agent:queue")).content.decode()
    assert 'value="vip"' in page and "Billing" in page and "Return an item" in page


def test_the_queue_filters_offer_new_groups_types_and_tags_at_once(
    agent: Client, alice: User, dave: User
) -> None:
    agent.get(reverse("agent:queue"))  # the choices are now kept in the cache
    Department.objects.create(name="Returns desk")
    make_request_type("Exchange a size")
    ticket = make_ticket(alice)
    services.ticket_update(ticket, actor=dave, changes=TicketChanges(tags=["fresh-tag"]))

    page = agent.get(reverse("agent:queue")).content.decode()

    assert "Returns desk" in page and "Exchange a size" in page and 'value="fresh-tag"' in page


def test_the_queue_keeps_its_filters_in_the_page_links(agent: Client, alice: User) -> None:
    for number in range(30):
        make_ticket(alice, subject=f"Printer {number}")

    response = agent.get(reverse("agent:queue"), {"queue": "all", "q": "printer", "tag": ""})
    body = response.content.decode()
    assert "queue=all&amp;q=printer&amp;tag=&amp;page=2" in body
    second = agent.get(reverse("agent:queue"), {"queue": "all", "q": "printer", "page": 2})
    assert len(second.context["page"]) == 5


def test_the_request_page_links_to_the_customers_requests_in_the_queue(
    agent: Client, alice: User
) -> None:
    ticket = make_ticket(alice)
    make_ticket(alice, subject="Another one")

    body = agent.get(reverse("agent:detail", args=[ticket.pk])).content.decode()
    assert "?queue=all&amp;requester=alice%40example.com" in body


def test_the_queue_costs_the_same_queries_for_more_rows(agent: Client, alice: User) -> None:
    make_ticket(alice)
    agent.get(reverse("agent:queue"))
    with CaptureQueriesContext(connection) as few:
        agent.get(reverse("agent:queue"))
    for _number in range(10):
        make_ticket(alice)
    agent.get(reverse("agent:queue"))  # the new requests make the tab counts count again
    with CaptureQueriesContext(connection) as more:
        agent.get(reverse("agent:queue"))

    assert len(more) == len(few)


def test_the_queue_counts_are_cached_until_a_request_changes(
    agent: Client, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    assert agent.get(reverse("agent:queue")).context["counts"]["unassigned"] == 1
    with CaptureQueriesContext(connection) as cached:
        agent.get(reverse("agent:queue"))
    counted = [
        q for q in cached.captured_queries if 'COUNT(*) AS "__count" FROM "tickets_' in q["sql"]
    ]
    assert len(counted) == 1  # the listed view's own pages; the six tabs come from the cache

    make_ticket(alice)
    ticket.assignee = dave
    ticket.save()
    counts = agent.get(reverse("agent:queue")).context["counts"]

    assert (counts["unassigned"], counts["mine"], counts["all"]) == (1, 1, 2)


def test_bulk_assign_and_prioritise(agent: Client, alice: User, dave: User) -> None:
    first, second, untouched = make_ticket(alice), make_ticket(alice), make_ticket(alice)

    response = agent.post(
        reverse("agent:bulk"),
        {
            "tickets": [first.pk, second.pk],
            "assignee": str(dave.pk),
            "priority": "high",
            "back": "?queue=all",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("agent:queue") + "?queue=all"
    assert "2 requests were updated." in response.content.decode()
    assert set(Ticket.objects.filter(assignee=dave).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_bulk_adds_and_removes_tags_keeping_the_others(
    agent: Client, alice: User, dave: User
) -> None:
    first, second = make_ticket(alice), make_ticket(alice)
    for ticket in (first, second):
        services.ticket_update(ticket, actor=dave, changes=TicketChanges(tags=["printer", "vip"]))
    page = agent.get(reverse("agent:queue") + "?queue=all").content.decode()
    assert 'name="add_tags"' in page and 'name="remove_tags"' in page

    agent.post(
        reverse("agent:bulk"),
        {"tickets": [first.pk, second.pk], "add_tags": "請求書, urgent", "remove_tags": "vip"},
    )

    for ticket in (first, second):
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["printer", "urgent", "請求書"]


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Select at least one request."), ({"priority": "bogus"}, "choose valid values")],
)
def test_bulk_without_selection_or_with_bad_values_changes_nothing(
    agent: Client, alice: User, data: dict[str, str], message: str
) -> None:
    ticket = make_ticket(alice)
    if data:
        data = {**data, "tickets": [ticket.pk]}

    response = agent.post(reverse("agent:bulk"), data, follow=True)

    assert message in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL


def test_the_request_page_shows_notes_context_and_other_requests(
    agent: Client, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice, subject="Current")
    make_ticket(alice, subject="Earlier question")
    services.reply_add(ticket, NewReply(author=dave, body="agent-only-note", internal=True))

    body = agent.get(reverse("agent:detail", args=[ticket.pk])).content.decode()

    assert "agent-only-note" in body and "Internal note" in body
    assert "Earlier question" in body and "Acme Corporation" in body


def test_an_agent_replies_from_the_page_and_the_customer_gets_mail(
    agent: Client, alice: User
) -> None:
    ticket = make_ticket(alice)
    mail.outbox.clear()

    agent.post(
        reverse("agent:detail", args=[ticket.pk]), {"reply": "1", "body": "On it.", "status": ""}
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_note_from_the_page_mails_nobody(agent: Client, alice: User) -> None:
    ticket = make_ticket(alice)
    mail.outbox.clear()

    agent.post(
        reverse("agent:detail", args=[ticket.pk]),
        {"reply": "1", "body": "Check the logs.", "internal": "on", "status": ""},
    )

    assert ticket.messages.filter(is_internal=True).count() == 1
    assert mail.outbox == []


def test_an_empty_reply_re_renders_in_japanese(agent: Client, alice: User) -> None:
    ticket = make_ticket(alice)

    response = agent.post(
        reverse("agent:detail", args=[ticket.pk]),
        {"reply": "1", "body": ""},
        headers={"accept-language": "ja"},
    )

    assert response.status_code == 422
    assert "このフィールドは必須です。" in response.content.decode()


def test_the_side_panel_changes_the_request(agent: Client, alice: User, dave: User) -> None:
    ticket = make_ticket(alice)

    agent.post(
        reverse("agent:detail", args=[ticket.pk]),
        {
            "change": "1",
            "status": "on_hold",
            "priority": "low",
            "assignee": str(dave.pk),
            "tags": "a, b",
        },
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("on_hold", "low", dave)
    assert sorted(tag.name for tag in ticket.tags.all()) == ["a", "b"]


@pytest.fixture
def sla_queue(alice: User, dave: User) -> dict[str, Ticket]:
    """Four requests under a one-hour first response: breached, at risk, on track and paused."""
    SlaPolicy.objects.create(name_en="Standard", first_response_minutes=60, resolution_minutes=600)
    now = timezone.now()
    made = {}
    for name, age in (("late", 120), ("risky", 50), ("fresh", 5), ("waiting", 5)):
        with time_machine.travel(now - timedelta(minutes=age), tick=False):
            made[name] = make_ticket(alice, subject=f"SLA {name}")
    services.reply_add(made["waiting"], NewReply(author=dave, body="Which model is it?"))
    return made


def test_the_sla_views_list_requests_at_risk_and_breached(
    agent: Client, sla_queue: dict[str, Ticket]
) -> None:
    response = agent.get(reverse("agent:queue"), {"queue": "at_risk"})
    assert response.context["counts"]["at_risk"] == 1
    assert response.context["counts"]["breached"] == 1
    assert [t.subject for t in response.context["page"]] == ["SLA risky"]
    body = response.content.decode()
    assert "<strong>At risk</strong>" in body and "minutes left</time>" in body

    breached = agent.get(reverse("agent:queue"), {"queue": "breached"}).content.decode()
    assert "SLA late" in breached and "SLA risky" not in breached
    assert "<strong>Breached</strong>" in breached and "1\xa0hour overdue" in breached
    assert "data-mdg-countdown" in breached and "js/sla-countdown.js" in breached


def test_every_row_has_a_badge_and_the_queue_sorts_and_filters_by_next_due(
    agent: Client, sla_queue: dict[str, Ticket]
) -> None:
    by_due = agent.get(reverse("agent:queue"), {"queue": "all", "sort": "due"})
    subjects = [t.subject for t in by_due.context["page"]]
    # The paused request keeps its due moment and sorts by it; on the page it says "Paused".
    assert subjects[:3] == ["SLA late", "SLA risky", "SLA fresh"]
    body = by_due.content.decode()
    for state in ("Breached", "At risk", "On track", "Paused"):
        assert f"<strong>{state}</strong>" in body

    within_hour = agent.get(reverse("agent:queue"), {"queue": "all", "due": "1h"})
    assert {t.subject for t in within_hour.context["page"]} == {
        "SLA risky",
        "SLA fresh",
        "SLA late",
    }
    overdue = agent.get(reverse("agent:queue"), {"queue": "all", "due": "overdue"})
    assert [t.subject for t in overdue.context["page"]] == ["SLA late"]


def test_the_sla_view_costs_the_same_queries_for_more_rows(agent: Client, alice: User) -> None:
    SlaPolicy.objects.create(name_en="Standard", first_response_minutes=60)
    start = timezone.now() - timedelta(hours=2)
    with time_machine.travel(start, tick=False):
        make_ticket(alice)
    agent.get(reverse("agent:queue"), {"queue": "breached"})
    with CaptureQueriesContext(connection) as few:
        agent.get(reverse("agent:queue"), {"queue": "breached"})
    with time_machine.travel(start, tick=False):
        for _number in range(10):
            make_ticket(alice)
    agent.get(reverse("agent:queue"), {"queue": "breached"})  # the tab counts count again
    with CaptureQueriesContext(connection) as more:
        response = agent.get(reverse("agent:queue"), {"queue": "breached"})

    assert len(response.context["page"]) == 11
    assert len(more) == len(few)


def test_the_request_page_shows_each_target_with_its_due_time_and_state(
    agent: Client, sla_queue: dict[str, Ticket]
) -> None:
    waiting = sla_queue["waiting"]
    body = agent.get(reverse("agent:detail", args=[waiting.pk])).content.decode()

    assert "Service level" in body and "Policy: Standard" in body
    assert "First response" in body and "<strong>Met</strong>" in body
    assert "Resolution" in body and "<strong>Paused</strong>" in body
    due = waiting.sla_targets.get(metric="resolution").due_at
    assert f'datetime="{timezone.localtime(due).isoformat()}"' in body

    late = agent.get(reverse("agent:detail", args=[sla_queue["late"].pk])).content.decode()
    assert "<strong>Breached</strong>" in late and "data-mdg-countdown" in late


def test_a_request_without_a_policy_shows_no_sla(agent: Client, alice: User) -> None:
    ticket = make_ticket(alice)

    assert (
        "Service level" not in agent.get(reverse("agent:detail", args=[ticket.pk])).content.decode()
    )


def test_the_sla_views_are_for_agents_only(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert client.get(reverse("agent:queue"), {"queue": "breached"}).status_code == 404


def test_other_requests_of_the_customer_show_their_badges(
    agent: Client, sla_queue: dict[str, Ticket]
) -> None:
    body = agent.get(reverse("agent:detail", args=[sla_queue["fresh"].pk])).content.decode()

    assert 'SLA late</a> <small>(New)</small> <span class="mdg-sla mdg-sla-breached">' in body


def test_the_header_shows_agents_an_away_toggle_and_customers_none(
    agent: Client, client: Client, alice: User
) -> None:
    page = agent.get(reverse("agent:queue")).content.decode()
    assert 'action="/agent/away/"' in page
    assert 'aria-pressed="false"' in page

    client.force_login(alice)
    assert "/agent/away/" not in client.get(reverse("tickets:activity")).content.decode()


def test_an_agent_sets_themselves_away_and_back_and_returns_to_the_page(
    agent: Client, dave: User
) -> None:
    back = reverse("agent:queue") + "?queue=mine"

    response = agent.post(reverse("agent:away"), {"away": "1", "next": back}, follow=True)

    dave.refresh_from_db()
    assert dave.is_away
    assert response.redirect_chain[-1][0] == back
    body = response.content.decode()
    assert 'aria-pressed="true"' in body
    assert "You are away: no new requests are assigned to you." in body

    agent.post(reverse("agent:away"), {"away": "0"})
    dave.refresh_from_db()
    assert not dave.is_away


def test_the_away_toggle_never_redirects_off_site(agent: Client) -> None:
    response = agent.post(reverse("agent:away"), {"away": "1", "next": "https://evil.example/"})

    assert response.url == reverse("agent:queue")


def test_the_away_toggle_speaks_japanese(agent: Client, dave: User) -> None:
    dave.is_away = True
    dave.save()

    page = agent.get(reverse("agent:queue"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "不在" in page


def test_the_request_page_lists_its_automatic_assignments(
    agent: Client, alice: User, dave: User
) -> None:
    billing = Department.objects.create(
        name="Billing", assignment=Department.Assignment.ROUND_ROBIN
    )
    billing.members.add(dave)
    request_type = make_request_type("Refund")
    request_type.department = billing
    request_type.save()
    ticket = make_ticket(alice, request_type=request_type)

    body = agent.get(reverse("agent:detail", args=[ticket.pk])).content.decode()

    assert "Automatic assignments" in body
    assert "Dave Agent: Round robin: each agent in turn (new request)" in body
