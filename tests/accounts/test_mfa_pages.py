"""Two-factor authentication through allauth's pages: TOTP activation and recovery codes."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from tests.factories import PASSWORD
from tests.support.totp import totp_code

pytestmark = pytest.mark.django_db


def _confirm_access(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def _activate_totp(client: Client) -> str:
    _confirm_access(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    secret = secret or re.search(r'value="([A-Z2-7]{16,})"[^>]*id="authenticator_secret"', page)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))})
    assert response.status_code == 302
    return secret.group(1)


def _recovery_codes(client: Client) -> list[str]:
    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    block = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>(.*?)</textarea>', page, re.S)
    return block.group(1).split()


def _sign_in_to_second_factor(client: Client, user: User) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def test_a_recovery_code_signs_in_once(client: Client, alice: User) -> None:
    client.force_login(alice)
    _activate_totp(client)
    codes = _recovery_codes(client)
    assert len(codes) == 10
    client.logout()

    _sign_in_to_second_factor(client, alice)
    used = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert used.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == alice

    client.logout()
    _sign_in_to_second_factor(client, alice)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert "Incorrect code." in again.content.decode()


def test_a_totp_code_signs_in_once(client: Client, alice: User) -> None:
    client.force_login(alice)
    secret = _activate_totp(client)
    client.logout()
    # The next period's code is accepted (tolerance of one period) and cannot be the code
    # used at activation, whenever the period boundary falls.
    code = totp_code(secret, at=time.time() + 30)

    _sign_in_to_second_factor(client, alice)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.logout()
    _sign_in_to_second_factor(client, alice)
    replayed = client.post(reverse("mfa_authenticate"), {"code": code})

    assert replayed.status_code == 200
    assert "Incorrect code." in replayed.content.decode()
    assert not client.get(reverse("core:home")).context["user"].is_authenticated


def test_a_wrong_code_is_refused_in_both_languages(client: Client, alice: User) -> None:
    client.force_login(alice)
    _activate_totp(client)
    client.logout()
    _sign_in_to_second_factor(client, alice)

    english = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    japanese = client.post(
        reverse("mfa_authenticate"), {"code": "000000"}, headers={"accept-language": "ja"}
    )

    assert "Incorrect code." in english.content.decode()
    assert "コードが正しくありません" in japanese.content.decode()
    assert not client.get(reverse("core:home")).context["user"].is_authenticated


def test_changing_security_settings_asks_for_the_password_again(
    client: Client, alice: User
) -> None:
    client.force_login(alice)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def _other_device(user: User) -> Client:
    device = Client(HTTP_USER_AGENT="Other device")
    device.force_login(user)
    assert device.get(reverse("core:home")).context["user"] == user
    return device


def _signed_in(device: Client) -> bool:
    return device.get(reverse("core:home")).context["user"].is_authenticated


def test_adding_a_second_factor_signs_out_other_sessions(
    client: Client, alice: User, django_capture_on_commit_callbacks
) -> None:
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    phone = _other_device(alice)

    # allauth announces the new factor once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        _activate_totp(client)

    assert not _signed_in(phone)
    assert _signed_in(client)


def test_changing_the_password_signs_out_other_sessions(client: Client, alice: User) -> None:
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    phone = _other_device(alice)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a brand new passphrase 7",
         "password2": "a brand new passphrase 7"},
    )  # fmt: skip

    assert not _signed_in(phone)
    assert _signed_in(client)


def test_guessing_the_second_factor_is_a_429_with_retry_after(client: Client, alice: User) -> None:
    client.force_login(alice)
    secret = _activate_totp(client)
    client.logout()
    _sign_in_to_second_factor(client, alice)

    guesses = [client.post(reverse("mfa_authenticate"), {"code": "000000"}) for _ in range(5)]
    locked = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(secret, at=time.time() + 30)}
    )

    assert {guess.status_code for guess in guesses} == {200}
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert not client.get(reverse("core:home")).context["user"].is_authenticated
