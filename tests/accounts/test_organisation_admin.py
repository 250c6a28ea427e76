import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Organisation, User
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _form(organisation: Organisation, **changes: object) -> dict[str, object]:
    data = {
        "name": organisation.name,
        "slug": organisation.slug,
        "created_at_0": organisation.created_at.strftime("%Y-%m-%d"),
        "created_at_1": organisation.created_at.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not False}


def test_requiring_mfa_in_the_admin_is_audited_once(
    client: Client, erin: User, org_a: Organisation
) -> None:
    client.force_login(erin)
    url = reverse("admin:accounts_organisation_change", args=[org_a.pk])

    response = client.post(url, _form(org_a, require_mfa="on"))

    assert response.status_code == 302, response.content.decode()[:3000]
    (event,) = AuditEvent.objects.filter(action="organisation.settings_changed")
    assert event.actor == erin
    assert event.data == {"require_mfa": True}


def test_renaming_alone_is_not_a_security_event(
    client: Client, erin: User, org_a: Organisation
) -> None:
    client.force_login(erin)

    client.post(
        reverse("admin:accounts_organisation_change", args=[org_a.pk]),
        _form(org_a, name="Acme Holdings"),
    )

    assert Organisation.objects.get(pk=org_a.pk).name == "Acme Holdings"
    assert not AuditEvent.objects.filter(action="organisation.settings_changed").exists()
