"""Automatic assignment inside a group: round robin, least open load, away agents, re-routing."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from madoguchi.accounts.models import Department, User
from madoguchi.core.models import AuditEvent
from madoguchi.tickets import routing, services
from madoguchi.tickets.models import RequestType, Ticket
from madoguchi.tickets.services import TicketChanges
from tests.factories import make_request_type, make_ticket, make_user

pytestmark = pytest.mark.django_db

Assignment = Department.Assignment


def _agents(*names: str, **flags: object) -> list[User]:
    return [make_user(f"{name}@example.com", name=name, is_staff=True, **flags) for name in names]


def _group(name: str, assignment: str, members: list[User]) -> Department:
    group = Department.objects.create(name=name, assignment=assignment)
    group.members.set(members)
    return group


@pytest.fixture
def agents() -> list[User]:
    return _agents("ann", "ben", "cid")


def _routed_to(request_type: RequestType, group: Department) -> None:
    request_type.department = group
    request_type.save()


def _assignees(requester: User, request_type: RequestType, count: int) -> list[str]:
    tickets = [make_ticket(requester, request_type=request_type) for _ in range(count)]
    return [Ticket.objects.get(pk=ticket.pk).assignee.name for ticket in tickets]


def test_without_automatic_assignment_a_new_request_waits_unassigned(
    alice: User, request_type: RequestType, agents: list[User]
) -> None:
    _routed_to(request_type, _group("Billing", Assignment.NONE, agents))
    request_type = RequestType.objects.get(pk=request_type.pk)  # Its group not read yet.

    with CaptureQueriesContext(connection) as captured:
        ticket = make_ticket(alice, request_type=request_type)

    assert (ticket.assignee, ticket.status) == (None, Ticket.Status.NEW)
    assert not AuditEvent.objects.filter(action="request.assigned_automatically").exists()
    # The group is read once, to find it; with nobody to choose, its row is not locked.
    group_reads = [q["sql"] for q in captured if 'FROM "accounts_department"' in q["sql"]]
    assert len(group_reads) == 1
    assert "FOR UPDATE" not in group_reads[0]


def test_round_robin_gives_each_agent_a_turn_in_order(
    alice: User, request_type: RequestType, agents: list[User]
) -> None:
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, agents))

    names = _assignees(alice, request_type, 7)

    assert names == ["ann", "ben", "cid", "ann", "ben", "cid", "ann"]


def test_an_automatic_assignment_opens_the_request_and_is_audited(
    alice: User, request_type: RequestType, agents: list[User]
) -> None:
    group = _group("Billing", Assignment.ROUND_ROBIN, agents)
    _routed_to(request_type, group)

    ticket = Ticket.objects.get(pk=make_ticket(alice, request_type=request_type).pk)

    assert (ticket.assignee, ticket.status) == (agents[0], Ticket.Status.OPEN)
    event = AuditEvent.objects.get(action="request.assigned_automatically")
    assert event.target_id == str(ticket.pk)
    assert event.data == {
        "assignee": agents[0].pk,
        "group": group.pk,
        "strategy": "round_robin",
        "reason": "created",
    }


def test_round_robin_skips_away_and_inactive_agents_and_customers(
    alice: User, bob: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, ben, cid = agents
    ben.is_away = True
    ben.save()
    cid.is_active = False
    cid.save()
    (dot,) = _agents("dot")
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, [ann, ben, cid, dot, bob]))

    assert _assignees(alice, request_type, 4) == ["ann", "dot", "ann", "dot"]


def test_when_every_agent_is_away_the_request_stays_unassigned(
    alice: User, request_type: RequestType, monkeypatch: pytest.MonkeyPatch
) -> None:
    _routed_to(
        request_type, _group("Billing", Assignment.ROUND_ROBIN, _agents("ann", is_away=True))
    )
    pick, picks = routing.assignee_pick, []
    monkeypatch.setattr(routing, "assignee_pick", lambda group: picks.append(group) or pick(group))

    ticket = make_ticket(alice, request_type=request_type)

    assert ticket.assignee is None
    # The turn found nobody before the request's transaction: the group is not locked again
    # inside it for a second look.
    assert len(picks) == 1


def test_an_agent_back_from_away_joins_the_turn_where_it_stands(
    alice: User, request_type: RequestType, agents: list[User]
) -> None:
    _ann, ben, _cid = agents
    ben.is_away = True
    ben.save()
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, agents))
    assert _assignees(alice, request_type, 1) == ["ann"]

    ben.is_away = False
    ben.save()

    assert _assignees(alice, request_type, 3) == ["ben", "cid", "ann"]


def test_least_load_picks_the_agent_with_fewest_unsolved_requests(
    alice: User, dave: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, ben, cid = agents
    for agent, count in ((ann, 2), (ben, 1)):
        for _ in range(count):
            services.ticket_update(
                make_ticket(alice), actor=dave, changes=TicketChanges(assignee=agent)
            )
    # A solved request is no load.
    solved = make_ticket(alice)
    services.ticket_update(solved, actor=dave, changes=TicketChanges(assignee=cid, status="solved"))
    _routed_to(request_type, _group("Billing", Assignment.LEAST_LOAD, agents))

    names = _assignees(alice, request_type, 5)

    assert names == ["cid", "ben", "cid", "ann", "ben"]


def test_least_load_skips_away_agents_however_idle(
    alice: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, _ben, _cid = agents
    ann.is_away = True
    ann.save()
    _routed_to(request_type, _group("Billing", Assignment.LEAST_LOAD, agents))

    assert _assignees(alice, request_type, 2) == ["ben", "cid"]


def test_round_robin_is_fair_over_many_requests(
    alice: User, request_type: RequestType, agents: list[User]
) -> None:
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, agents))

    names = _assignees(alice, request_type, 30)

    assert {name: names.count(name) for name in set(names)} == {"ann": 10, "ben": 10, "cid": 10}


def test_moving_a_request_to_another_group_routes_it_there(
    alice: User, dave: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, ben, cid = agents
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, [ann]))
    ticket = make_ticket(alice, request_type=request_type)
    shipping = _group("Shipping", Assignment.ROUND_ROBIN, [ben, cid])

    services.ticket_update(ticket, actor=dave, changes=TicketChanges(department=shipping))

    assert ticket.assignee == ben
    event = AuditEvent.objects.filter(action="request.assigned_automatically").order_by("pk").last()
    assert (event.actor, event.data["reason"]) == (dave, "group_changed")


def test_moving_keeps_an_assignee_who_belongs_to_the_new_group(
    alice: User, dave: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, ben, _cid = agents
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, [ann]))
    ticket = make_ticket(alice, request_type=request_type)
    shipping = _group("Shipping", Assignment.ROUND_ROBIN, [ben, ann])

    services.ticket_update(ticket, actor=dave, changes=TicketChanges(department=shipping))

    assert ticket.assignee == ann


def test_moving_with_a_chosen_assignee_keeps_the_choice(
    alice: User, dave: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, ben, cid = agents
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, [ann]))
    ticket = make_ticket(alice, request_type=request_type)
    shipping = _group("Shipping", Assignment.ROUND_ROBIN, [ben])

    services.ticket_update(
        ticket, actor=dave, changes=TicketChanges(department=shipping, assignee=cid)
    )

    assert ticket.assignee == cid


def test_moving_to_a_group_without_automatic_assignment_leaves_it_for_the_group(
    alice: User, dave: User, request_type: RequestType, agents: list[User]
) -> None:
    ann, ben, _cid = agents
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, [ann]))
    ticket = make_ticket(alice, request_type=request_type)
    shipping = _group("Shipping", Assignment.NONE, [ben])

    services.ticket_update(ticket, actor=dave, changes=TicketChanges(department=shipping))

    assert (ticket.assignee, ticket.department) == (None, shipping)


def test_a_request_waiting_for_approval_is_routed_once_approved(
    alice: User, bob: User, request_type: RequestType, agents: list[User]
) -> None:
    request_type.needs_organisation_approval = True
    _routed_to(request_type, _group("Billing", Assignment.ROUND_ROBIN, agents))
    ticket = make_ticket(alice, request_type=request_type)
    assert ticket.assignee is None

    services.approval_decide(ticket, by=bob, approve=True)

    assert ticket.assignee == agents[0]


def test_available_agents_lists_the_group_in_turn_order(agents: list[User]) -> None:
    ann, ben, cid = agents
    ben.is_away = True
    ben.save()
    group = _group("Billing", Assignment.ROUND_ROBIN, [cid, ben, ann])

    assert routing.available_agents(group) == [ann, cid]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("assignment", [Assignment.ROUND_ROBIN, Assignment.LEAST_LOAD])
def test_requests_created_at_once_go_to_different_agents(assignment: str) -> None:
    """On PostgreSQL, the group row lock makes simultaneous requests take turns."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises every write anyway")
    requester = make_user("zoe@example.com")
    agents = _agents("ann", "ben", "cid", "dot")
    request_type = make_request_type("Refund")
    _routed_to(request_type, _group("Billing", assignment, agents))
    start = threading.Barrier(len(agents))
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait(10)
            make_ticket(requester, request_type=request_type)
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assignees = list(Ticket.objects.values_list("assignee__email", flat=True))
    assert sorted(assignees) == sorted(agent.email for agent in agents)


def _one_request_fails(group: Department, monkeypatch: pytest.MonkeyPatch) -> RequestType:
    """Route a request type to group and fail one request of it as its mail is queued."""
    request_type = make_request_type("Refund")
    _routed_to(request_type, group)

    def queue_down(*args: object, **kwargs: object) -> None:
        raise RuntimeError("queue down")

    with monkeypatch.context() as patched:
        patched.setattr(services, "enqueue_later", queue_down)
        with pytest.raises(RuntimeError):
            make_ticket(make_user("zoe@example.com"), request_type=request_type)
    group.refresh_from_db()
    assert not Ticket.objects.exists()
    return request_type


@pytest.mark.django_db(transaction=True)
def test_a_round_robin_turn_is_taken_before_the_request_and_stays_taken_if_it_fails(
    agents: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group's row is locked only while the turn moves (committed at once), not until the
    whole request is written; a request that then fails has used its agent's turn."""
    group = _group("Billing", Assignment.ROUND_ROBIN, agents)

    request_type = _one_request_fails(group, monkeypatch)

    assert group.last_assigned == agents[0]
    assert _assignees(make_user("yui@example.com"), request_type, 2) == ["ben", "cid"]


@pytest.mark.django_db(transaction=True)
def test_least_load_is_counted_inside_the_requests_transaction(
    agents: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    group = _group("Billing", Assignment.LEAST_LOAD, agents)

    _one_request_fails(group, monkeypatch)

    assert group.last_assigned is None  # Rolled back with the request.
