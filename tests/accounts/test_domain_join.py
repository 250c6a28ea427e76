"""A proven address in an organisation's domain places its person in that organisation."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Organisation, OrganisationDomain, User
from madoguchi.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db: None) -> Organisation:
    organisation = Organisation.objects.create(name="Acme Japan", slug="acme-jp")
    OrganisationDomain.objects.create(organisation=organisation, domain="acme.example")
    return organisation


def _confirm(user: User, email: str) -> None:
    """Follow the mailed confirmation link, as the person does."""
    address = EmailAddress.objects.create(user=user, email=email, verified=False)
    key = EmailConfirmationHMAC(address).key
    Client().post(reverse("account_confirm_email", args=[key]))
    assert EmailAddress.objects.get(pk=address.pk).verified


def test_confirming_the_address_joins_its_organisation_once(acme: Organisation) -> None:
    user = User.objects.create_user("taro@acme.example", PASSWORD)

    _confirm(user, "taro@acme.example")

    assert list(user.organisations.all()) == [acme]
    event = AuditEvent.objects.get(action="membership.joined_by_domain")
    assert event.data == {"organisation": "acme-jp"}


def test_an_address_of_no_organisation_joins_nothing(acme: Organisation) -> None:
    user = User.objects.create_user("taro@elsewhere.example", PASSWORD)

    _confirm(user, "taro@elsewhere.example")

    assert not user.organisations.exists()


def test_a_member_of_an_organisation_is_not_moved(acme: Organisation, org_b: Organisation) -> None:
    user = User.objects.create_user("taro@acme.example", PASSWORD)
    user.memberships.create(organisation=org_b)

    _confirm(user, "taro@acme.example")

    assert list(user.organisations.all()) == [org_b]


def test_changing_to_an_address_in_the_domain_joins(acme: Organisation) -> None:
    """Confirming a new address is an email change here: the person's address is now Acme's."""
    user = User.objects.create_user("taro@home.example", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    _confirm(user, "taro@acme.example")

    user.refresh_from_db()
    assert user.email == "taro@acme.example"
    assert list(user.organisations.all()) == [acme]
