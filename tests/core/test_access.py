import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from madoguchi.accounts import invitations
from madoguchi.accounts.models import Invitation, Membership, Organisation, User
from madoguchi.core import access
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_customers_see_only_their_own_organisations(alice, org_a, org_b) -> None:
    assert list(access.visible(alice, Organisation)) == [org_a]
    assert access.get_visible_or_404(alice, Organisation, pk=org_a.pk) == org_a
    with pytest.raises(Http404):
        access.get_visible_or_404(alice, Organisation, pk=org_b.pk)


def test_a_hidden_object_and_a_missing_one_look_the_same(alice, org_b) -> None:
    with pytest.raises(Http404):
        access.get_visible_or_404(alice, Organisation, pk=org_b.pk)
    with pytest.raises(Http404):
        access.get_visible_or_404(alice, Organisation, pk=999_999)
    with pytest.raises(Http404):
        access.get_visible_or_404(alice, Organisation, pk="not-a-number")


def test_agents_see_every_organisation(dave, org_a, org_b) -> None:
    assert set(access.visible(dave, Organisation)) == {org_a, org_b}


def test_customers_see_colleagues_but_not_other_organisations_people(
    alice, bob, carol, dave
) -> None:
    assert set(access.visible(alice, User)) == {alice, bob}
    assert set(access.visible(carol, User)) == {carol}


def test_only_organisation_admins_see_its_invitations(alice, bob, carol, org_a) -> None:
    invitation = invitations.invite(email="new@example.com", organisation=org_a)

    assert list(access.visible(bob, Invitation)) == [invitation]
    assert list(access.visible(alice, Invitation)) == []
    assert list(access.visible(carol, Invitation)) == []


def test_visitors_and_deactivated_people_see_nothing(alice, org_a) -> None:
    assert list(access.visible(AnonymousUser(), Organisation)) == []
    alice.is_active = False
    assert list(access.visible(alice, Organisation)) == []


def test_unregistered_models_fail_closed(alice) -> None:
    with pytest.raises(ImproperlyConfigured):
        access.visible(alice, AuditEvent)


def test_memberships_are_seen_within_the_organisation(alice, bob, carol) -> None:
    assert set(access.visible(alice, Membership)) == set(
        Membership.objects.filter(user__in=[alice, bob])
    )
