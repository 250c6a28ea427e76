"""The request pages cost the same number of SQL queries however many rows they show.

Counts, not timings: each page is requested once to warm up, counted, given ten times more rows
(requests, replies, notes, files, followers, colleagues' requests), and counted again. The
benchmarks in bench/ rely on it (BENCHMARKS.md B1, B2, B6, B7).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.accounts.models import Department, Membership, User
from madoguchi.tickets import services
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.services import NewReply, TicketChanges
from tests.factories import add_member, make_ticket, make_user

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the first request fills per-process caches (site, brand, translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _thread(ticket: Ticket, customer: User, agent: User, replies: int) -> None:
    """Replies both ways, an internal note and a file on every other message."""
    for number in range(replies):
        author = agent if number % 2 else customer
        files = [SimpleUploadedFile(f"log{number}.txt", b"trace\n")] if number % 2 == 0 else []
        services.reply_add(ticket, NewReply(author=author, body=f"Reply {number}", files=files))
    services.reply_add(ticket, NewReply(author=agent, body="Checked the logs", internal=True))


def test_my_activity_of_an_organisation_admin_with_followed_requests(
    client: Client, alice: User, bob: User, dave: User
) -> None:
    # Bob sees his colleagues' requests (admin) and one he follows in another organisation.
    client.force_login(bob)
    make_ticket(alice)
    url = reverse("tickets:activity")
    few = _queries(client, url)
    outsider = make_user("olga@example.com")
    for number in range(10):
        make_ticket(alice, subject=f"Colleague {number}")
        make_ticket(bob, subject=f"Own {number}")
        followed = make_ticket(outsider, subject=f"Followed {number}")
        followed.followers.add(bob)

    assert _queries(client, url) == few


def test_the_request_page_costs_the_same_for_a_long_thread(
    client: Client, alice: User, bob: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)
    url = reverse("tickets:detail", args=[ticket.pk])
    _thread(ticket, alice, dave, replies=1)
    few = _queries(client, url)
    _thread(ticket, alice, dave, replies=12)
    ticket.followers.add(bob)

    assert _queries(client, url) == few


def test_the_agent_request_page_costs_the_same_for_more_messages_and_requests(
    client: Client, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    client.force_login(dave)
    url = reverse("agent:detail", args=[ticket.pk])
    _thread(ticket, alice, dave, replies=1)
    few = _queries(client, url)
    _thread(ticket, alice, dave, replies=12)
    for number in range(10):
        make_ticket(alice, subject=f"Other {number}")

    assert _queries(client, url) == few


def _queued(alice: User, agent: User, colleague: User, group: Department, number: int) -> None:
    """A high-priority request of the group: unassigned, the agent's or a colleague's."""
    ticket = make_ticket(alice, subject=f"Question {number}")
    assignee = [None, agent, colleague][number % 3]
    changes = TicketChanges(
        priority="high", assignee=assignee, department=group, tags=[f"tag-{number}"]
    )
    services.ticket_update(ticket, actor=agent, changes=changes)


@pytest.mark.parametrize(
    "query",
    [
        "queue=unassigned&priority=high",
        "queue=mine&priority=high",
        "queue=groups&priority=high",
        "queue=all&priority=high",
        "queue=all&q=question&requester=example&group={group}&sort=priority",
    ],
)
def test_each_agent_queue_costs_the_same_for_more_rows(
    client: Client, alice: User, dave: User, query: str
) -> None:
    billing = Department.objects.create(name="Billing")
    billing.members.add(dave)
    colleague = make_user("erin@example.com", is_staff=True)
    client.force_login(dave)
    url = reverse("agent:queue") + "?" + query.format(group=billing.pk)
    for number in range(3):
        _queued(alice, dave, colleague, billing, number)
    few = _queries(client, url)
    for number in range(3, 30):
        _queued(alice, dave, colleague, billing, number)

    assert _queries(client, url) == few


def test_my_activity_tabs_cost_the_same_queries_for_more_rows(
    client: Client, alice: User, bob: User
) -> None:
    client.force_login(bob)
    make_ticket(bob)
    make_ticket(alice).followers.add(bob)
    urls = [
        reverse("tickets:activity") + f"?scope={scope}"
        for scope in ("mine", "copied", "organisation")
    ]
    few = [_queries(client, url) for url in urls]
    for number in range(10):
        make_ticket(bob, subject=f"Own {number}")
        make_ticket(alice, subject=f"Copied {number}").followers.add(bob)

    assert [_queries(client, url) for url in urls] == few


def test_my_activity_of_a_member_who_may_see_the_organisations_requests(
    client: Client, alice: User, org_a: object
) -> None:
    org_a.members_see_all_requests = True
    org_a.save()
    colleague = make_user("carl@example.com")
    add_member(colleague, org_a, Membership.Role.MEMBER)
    client.force_login(alice)
    make_ticket(colleague)
    url = reverse("tickets:activity")
    few = _queries(client, url)
    for number in range(10):
        make_ticket(colleague, subject=f"Colleague {number}")

    assert _queries(client, url) == few


# What each benchmark page may cost once warm (bench/README.md lists the queries): the session,
# the person, their memberships (read once for the MFA check, the menu and the request scopes),
# the bell, then the page's own reads. No write: the session's row is recorded once a minute.
# An agent's page also reads their permissions (two queries) for the knowledge-base editor link.
BUDGETS = {"activity": 8, "detail": 13, "queue": 8, "agent_detail": 19}


def test_the_benchmark_pages_stay_within_their_query_budgets(
    client: Client, alice: User, bob: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    _thread(ticket, alice, dave, replies=4)
    ticket.followers.add(bob)
    client.force_login(alice)
    spent = {
        "activity": _queries(client, reverse("tickets:activity")),
        "detail": _queries(client, reverse("tickets:detail", args=[ticket.pk])),
    }
    client.force_login(dave)
    spent["queue"] = _queries(client, reverse("agent:queue") + "?queue=mine&priority=high")
    spent["agent_detail"] = _queries(client, reverse("agent:detail", args=[ticket.pk]))

    assert {page: spent[page] <= budget for page, budget in BUDGETS.items()} == dict.fromkeys(
        BUDGETS, True
    ), spent
