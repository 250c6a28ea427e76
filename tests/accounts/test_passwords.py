"""R18: the password policy, as people meet it on the sign-up form."""

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User

pytestmark = pytest.mark.django_db


def _sign_up(client: Client, password: str):
    return client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": password, "password2": password},
    )


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple plus a few more words to reach 64 ch",
        "パスワードは日本語の長い文でも使えます安全です",
        "x7Q!" * 32,
    ],
)
def test_long_passphrases_are_accepted_exactly(client: Client, password: str) -> None:
    response = _sign_up(client, password)

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.check_password(password)
    if password.upper() != password:
        assert not user.check_password(password.upper())
    assert not user.check_password(password[:-1])


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1", "too short"),
        ("qwertyuiop12", "too common"),
        ("Passw0rd1234", "common password with a few changes"),
        ("Dr4gon2024!!", "common password with a few changes"),
        ("zaqwsxcderfv", "leaked passwords"),
        ("Sanfranc1sco!", "common password with a few changes"),
        ("382910475629", "entirely numeric"),
        ("x" * 200, "too long"),
    ],
)
def test_weak_or_overlong_passwords_are_refused_with_the_reason(
    client: Client, password: str, reason: str
) -> None:
    response = _sign_up(client, password)

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_changing_the_password_needs_the_current_one(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not my password", "password1": "a brand new passphrase 7",
         "password2": "a brand new passphrase 7"},
    )  # fmt: skip

    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.check_password("a brand new passphrase 7")
