"""Macros: a canned reply's placeholders filled in for one request, and the changes it stages.

Macro bodies are written by people, so they are never rendered as Django templates (which could
reach any attribute of the objects given). Only the placeholders of PLACEHOLDERS are replaced,
by plain text; anything else in braces stays as typed and is reported, so the agent sees it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from madoguchi.accounts.models import User
from madoguchi.tickets.models import Macro, Ticket

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]{1,60})\s*\}\}")


def _first_name(user: User) -> str:
    # Japanese names are written family name first; the part an agent greets with depends on the
    # customer, so a name with a space gives its first word, as Western tools do.
    return (user.name or "").split(" ")[0] or user.email.partition("@")[0]


PLACEHOLDERS: dict[str, Callable[[Ticket, User], str]] = {
    "requester.name": lambda ticket, _agent: str(ticket.requester),
    "requester.first_name": lambda ticket, _agent: _first_name(ticket.requester),
    "requester.email": lambda ticket, _agent: ticket.requester.email,
    "ticket.number": lambda ticket, _agent: ticket.number,
    "ticket.subject": lambda ticket, _agent: ticket.subject,
    "agent.name": lambda _ticket, agent: str(agent),
    "agent.first_name": lambda _ticket, agent: _first_name(agent),
    "organisation.name": lambda ticket, _agent: (
        ticket.organisation.name if ticket.organisation else ""
    ),
    "brand.name": lambda ticket, _agent: ticket.brand.name,
}


@dataclass(frozen=True)
class Rendered:
    body: str
    unknown: list[str]


def render(body: str, ticket: Ticket, agent: User) -> Rendered:
    """Replace the known placeholders; leave unknown ones as typed and list them."""
    unknown: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = PLACEHOLDERS.get(name)
        if value is None:
            if name not in unknown:
                unknown.append(name)
            return match.group(0)
        return value(ticket, agent)

    return Rendered(body=PLACEHOLDER.sub(fill, body), unknown=unknown)


def staged_tags(macro: Macro) -> list[str]:
    return macro.add_tags.replace(",", " ").split()
