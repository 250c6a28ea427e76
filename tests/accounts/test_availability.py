import pytest

from madoguchi.accounts import availability
from madoguchi.accounts.models import User
from madoguchi.core.errors import DomainError
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_agent_goes_away_and_back_and_each_change_is_audited(dave: User) -> None:
    availability.away_set(dave, away=True, by=dave)
    availability.away_set(dave, away=True, by=dave)
    availability.away_set(dave, away=False, by=dave)

    dave.refresh_from_db()
    assert not dave.is_away
    actions = AuditEvent.objects.filter(target_id=str(dave.pk)).order_by("pk")
    assert list(actions.values_list("action", flat=True)) == ["agent.away", "agent.available"]


def test_an_admin_may_set_another_agent_away(dave: User, erin: User) -> None:
    availability.away_set(dave, away=True, by=erin)

    dave.refresh_from_db()
    assert dave.is_away


def test_agents_cannot_set_each_other_and_customers_have_no_availability(
    dave: User, erin: User, alice: User
) -> None:
    with pytest.raises(DomainError):
        availability.away_set(erin, away=True, by=dave)
    with pytest.raises(DomainError):
        availability.away_set(alice, away=True, by=alice)
    erin.refresh_from_db()
    assert not erin.is_away
