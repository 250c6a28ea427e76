"""R35: each security event of a person writes exactly one audit entry with the expected fields."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client, override_settings
from django.urls import reverse

from madoguchi.accounts.models import Organisation, User
from madoguchi.core.models import AuditEvent
from tests.accounts.test_mfa_pages import _activate_totp, _confirm_access
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

AGENT = "Mozilla/5.0 (Test) Firefox/140"


@pytest.fixture
def client() -> Client:
    return Client(HTTP_USER_AGENT=AGENT, REMOTE_ADDR="198.51.100.20")


def _only(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [e.action for e in AuditEvent.objects.all()]
    return events[0]


def test_sign_in_records_actor_organisation_ip_and_agent(
    client: Client, alice: User, org_a: Organisation
) -> None:
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})

    event = _only("auth.login")
    assert event.actor == alice
    assert event.target_id == str(alice.pk)
    assert event.organisation_id == org_a.pk
    assert event.organisation_label == org_a.name
    assert event.ip == "198.51.100.20"
    assert event.user_agent == AGENT
    assert event.created_at is not None


def test_failed_sign_in_records_the_identifier_but_never_the_password(
    client: Client, alice: User, org_a: Organisation
) -> None:
    client.post(reverse("account_login"), {"login": alice.email, "password": "wrong guess 123"})

    event = _only("auth.login.failed")
    assert event.actor is None
    assert event.target_id == str(alice.pk)
    assert event.organisation_id == org_a.pk
    assert event.data == {"login": alice.email}
    assert "wrong guess" not in str(event.data) and "*" not in str(event.data)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_failed_sign_in_for_an_unknown_address_has_no_target(client: Client, db: None) -> None:
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "x" * 12})

    event = _only("auth.login.failed")
    assert event.target_id == ""
    assert event.organisation_id is None


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_the_ip_is_the_client_behind_the_trusted_proxy(alice: User) -> None:
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.77")

    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})

    assert _only("auth.login").ip == "203.0.113.77"


def test_sign_out_is_recorded_once(client: Client, alice: User) -> None:
    client.force_login(alice)

    client.post(reverse("account_logout"))

    event = _only("auth.logout")
    assert event.actor == alice


def test_password_change_is_recorded_once(client: Client, alice: User) -> None:
    client.force_login(alice)
    new = "a different long passphrase"

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )

    event = _only("auth.password.changed")
    assert event.actor == alice
    assert new not in str(event.data)


def test_adding_an_email_address_is_recorded_once(client: Client, alice: User) -> None:
    client.force_login(alice)

    client.post(reverse("account_email"), {"action_add": "", "email": "alice2@example.com"})

    assert _only("email.added").data == {"email": "alice2@example.com"}


def test_confirming_an_email_address_is_recorded_once(client: Client, alice: User) -> None:
    address = EmailAddress.objects.create(user=alice, email="alice3@example.com", verified=False)
    key = EmailConfirmationHMAC(address).key
    client.force_login(alice)

    client.post(reverse("account_confirm_email", args=[key]))

    event = _only("email.confirmed")
    assert event.actor == alice
    assert event.data == {"email": "alice3@example.com"}


def test_mfa_changes_are_recorded_one_entry_per_authenticator(
    client: Client, alice: User, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    # allauth sends its MFA signals once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        _activate_totp(client)

    added = list(AuditEvent.objects.filter(action="mfa.added").order_by("id"))
    # Activating TOTP also creates the recovery codes: two authenticators, two entries.
    assert [e.data["type"] for e in added] == ["totp", "recovery_codes"]
    assert all(e.actor == alice for e in added)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    assert _only("mfa.recovery_codes_regenerated").data == {"type": "recovery_codes"}

    _confirm_access(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))
    removed = AuditEvent.objects.filter(action="mfa.removed").order_by("id")
    # The last factor gone, the recovery codes go with it.
    assert sorted(e.data["type"] for e in removed) == ["recovery_codes", "totp"]
