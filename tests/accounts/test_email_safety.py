"""R22: no account takeover through email — resets only to verified addresses, Unicode-safe."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_reset_is_not_sent_to_an_unverified_address(client: Client, smtp_server) -> None:
    user = User.objects.create_user("unverified@example.com", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    client.post(reverse("account_reset_password"), {"email": "unverified@example.com"})

    assert [m for m in smtp_server.messages if "reset" in m["Subject"].lower()] == []


@pytest.mark.parametrize(
    ("owner", "lookalike"),
    [
        ("mike@example.org", "mıke@example.org"),  # dotless i  # noqa: RUF001
        ("strasse@example.org", "straße@example.org"),
        ("info@example.org", "İnfo@example.org"),
    ],
)
def test_a_lookalike_address_does_not_reach_another_account(
    client: Client, smtp_server, owner: str, lookalike: str
) -> None:
    make_user(owner)

    client.post(reverse("account_reset_password"), {"email": lookalike})

    assert all(owner not in str(m["To"]) for m in smtp_server.messages)


def test_changing_email_needs_a_recent_password(client: Client, alice: User, smtp_server) -> None:
    client.force_login(alice)

    client.post(reverse("account_email"), {"action_add": "", "email": "taken.over@example.com"})

    assert smtp_server.messages, "the verification goes to the new address"
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert not EmailAddress.objects.filter(email="taken.over@example.com", verified=True).exists()


def test_a_pending_new_address_is_not_a_sign_in_name(
    client: Client, alice: User, smtp_server
) -> None:
    client.force_login(alice)
    client.post(reverse("account_email"), {"action_add": "", "email": "alice.pending@example.com"})
    client.logout()

    pending = client.post(
        reverse("account_login"), {"login": "alice.pending@example.com", "password": PASSWORD}
    )

    # allauth asks for the address to be proven first, and signs nobody in meanwhile.
    assert pending["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.filter(
        email="alice.pending@example.com", verified=True
    ).exists()
    current = client.post(
        reverse("account_login"), {"login": "alice@example.com", "password": PASSWORD}
    )
    assert current.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
