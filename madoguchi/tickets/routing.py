"""Automatic assignment of requests to an agent of their group (routing, issue 4 item 7).

A group (accounts.Department) chooses how its requests find an agent: not at all, round robin
(each available agent in turn), or least open load (the agent with the fewest unsolved requests,
ties broken by the same turn order). Agents who are away or inactive are skipped.

Every pick locks the group's row first, so two requests created at the same moment wait for
each other and see each other's assignment: the turn moves on and the load counts stay true.
A new request takes a round-robin turn before its own transaction (turn_take), so the lock is
held only while the turn moves.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from madoguchi.accounts.models import Department, User
from madoguchi.core import audit
from madoguchi.tickets.models import Ticket

Assignment = Department.Assignment


def available_agents(department: Department) -> list[User]:
    """Return the group's agents who can take work now (active, not away), in turn order."""
    agents = department.members.filter(is_staff=True, is_active=True, is_away=False)
    return list(agents.order_by("pk"))


def _in_turn(agents: list[User], last_pk: int | None) -> list[User]:
    """Rotate the agents so that the one after the last assigned comes first."""
    if last_pk is None:
        return agents
    after = [agent for agent in agents if agent.pk > last_pk]
    return after + [agent for agent in agents if agent.pk <= last_pk]


def _open_loads(agents: list[User]) -> dict[int, int]:
    unsolved = [status for status in Ticket.Status.values if status not in Ticket.DONE]
    counted = User.objects.filter(pk__in=[agent.pk for agent in agents]).annotate(
        load=Count("assigned_requests", filter=Q(assigned_requests__status__in=unsolved))
    )
    return dict(counted.values_list("pk", "load"))


def assignee_pick(department: Department) -> User | None:
    """Choose the next agent of the group by its strategy and move its turn; None if nobody.

    Locks the group's row (select_for_update) until the caller's transaction ends; call it
    inside transaction.atomic, after locking the request itself (the same order everywhere).
    The department passed in is refreshed from the locked row.
    """
    locked = Department.objects.select_for_update().get(pk=department.pk)
    department.assignment = locked.assignment
    if locked.assignment == Assignment.NONE:
        return None
    agents = _in_turn(available_agents(locked), locked.last_assigned_id)
    if not agents:
        return None
    if locked.assignment == Assignment.LEAST_LOAD:
        loads = _open_loads(agents)
        # min() keeps the first of equals, so ties go round in turn order too.
        chosen = min(agents, key=lambda agent: loads.get(agent.pk, 0))
    else:
        chosen = agents[0]
    locked.last_assigned = chosen
    locked.save(update_fields=["last_assigned"])
    department.last_assigned = chosen
    return chosen


@dataclass(frozen=True)
class Turn:
    """A round-robin turn taken before the request's transaction; agent None: nobody available."""

    agent: User | None


def turn_take(department: Department | None) -> Turn | None:
    """Take a round-robin group's next turn in a transaction of its own; None for other groups.

    Called before the caller's transaction, the group's row is locked only while the turn moves,
    not until a whole new request is written: simultaneous requests of one group then wait
    for each other a moment instead of one after the other. Should the caller's transaction
    fail, that agent's turn has passed without a request, as when a request is deleted.
    Least open load is chosen inside the caller's transaction: the counts must include it.
    """
    if department is None or department.assignment != Assignment.ROUND_ROBIN:
        return None
    with transaction.atomic():
        return Turn(assignee_pick(department))


def ticket_route(
    ticket: Ticket, *, reason: str, actor: User | None = None, turn: Turn | None = None
) -> User | None:
    """Assign the request to an agent of its group, if the group assigns automatically.

    The caller holds the request's row lock inside a transaction and saves the request; this
    sets assignee (and opens a new request) and records the assignment in the audit log.
    reason says what caused it: "created", "group_changed" or "approved". turn is what
    turn_take found already (an agent, or nobody available), not looked for again.
    """
    if ticket.department_id is None or ticket.department.assignment == Assignment.NONE:
        return None  # Nothing to choose: the group's row is not locked.
    chosen = turn.agent if turn is not None else assignee_pick(ticket.department)
    if chosen is None:
        return None
    ticket.assignee = chosen
    if ticket.status == Ticket.Status.NEW:
        ticket.status = Ticket.Status.OPEN
    audit.record(
        "request.assigned_automatically",
        actor=actor,
        target=ticket,
        data={
            "assignee": chosen.pk,
            "group": ticket.department_id,
            "strategy": ticket.department.assignment,
            "reason": reason,
        },
    )
    return chosen
