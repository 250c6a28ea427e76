"""Whether an agent takes new work now: away agents are skipped by automatic assignment."""

from django.utils.translation import gettext as _

from madoguchi.accounts.models import User
from madoguchi.core import audit
from madoguchi.core.errors import DomainError


def away_set(agent: User, *, away: bool, by: User) -> None:
    """Mark agent away or available. Agents set themselves; admins may set anyone.

    Requests already assigned stay with the agent; only new assignments skip them.
    """
    if not agent.is_staff:
        raise DomainError(_("Only agents can be away or available."))
    if by.pk != agent.pk and not by.is_superuser:
        raise DomainError(_("Only an admin can change another agent's availability."))
    if agent.is_away == away:
        return
    agent.is_away = away
    agent.save(update_fields=["is_away"])
    audit.record("agent.away" if away else "agent.available", actor=by, target=agent)
