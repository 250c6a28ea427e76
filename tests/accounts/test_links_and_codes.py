"""Mailed links and codes work once and in time; a replayed or late one gets a clear page."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import User
from tests.factories import PASSWORD
from tests.support.smtp import mailed_path, plain_body

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unusual passphrase 42"


def _reset_link(client: Client, smtp_server, user: User) -> str:
    client.post(reverse("account_reset_password"), {"email": user.email})
    return mailed_path(smtp_server.messages[-1], r"/password/reset/key/")


def _set_new_password(client: Client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    return client.post(
        form_page.redirect_chain[-1][0], {"password1": password, "password2": password}
    )


def test_a_reset_link_works_once(client: Client, smtp_server, alice: User) -> None:
    link = _reset_link(client, smtp_server, alice)
    assert _set_new_password(client, link).status_code == 302

    replay = Client().get(link, follow=True)

    assert "invalid, possibly because it has already been used" in replay.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_late_reset_link_is_refused_in_both_languages(
    client: Client, smtp_server, alice: User, settings: Settings
) -> None:
    link = _reset_link(client, smtp_server, alice)
    settings.PASSWORD_RESET_TIMEOUT = -1

    english = Client().get(link, follow=True).content.decode()
    japanese = Client(headers={"accept-language": "ja"}).get(link, follow=True).content.decode()

    assert "invalid, possibly because it has already been used" in english
    assert "パスワード再設定のリンクが不正です" in japanese
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_late_verification_link_verifies_nothing(
    client: Client, smtp_server, settings: Settings
) -> None:
    client.post(
        reverse("account_signup"),
        {"email": "late@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    link = mailed_path(smtp_server.messages[-1], r"/confirm-email/")
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0

    page = Client().get(link)
    Client().post(link)

    assert "expired or is invalid" in page.content.decode()
    assert not User.objects.get(email="late@example.com").emailaddress_set.get().verified


def _mailed_code(smtp_server) -> str:
    return re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", plain_body(smtp_server.messages[-1])).group(
        1
    )


def test_a_sign_in_code_works_once(client: Client, smtp_server, alice: User) -> None:
    client.post(reverse("account_request_login_code"), {"email": alice.email})
    code = _mailed_code(smtp_server)
    assert client.post(reverse("account_confirm_login_code"), {"code": code}).status_code == 302
    client.logout()

    replay = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert replay["Location"] == reverse("account_request_login_code"), "ask for a new code"
    assert not client.get(reverse("core:home")).context["user"].is_authenticated


def test_three_wrong_sign_in_codes_end_the_attempt(
    client: Client, smtp_server, alice: User
) -> None:
    client.post(reverse("account_request_login_code"), {"email": alice.email})
    code = _mailed_code(smtp_server)

    wrong = [
        client.post(reverse("account_confirm_login_code"), {"code": "WRNG-CODE"}) for _ in range(3)
    ]
    last = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert "Incorrect code." in wrong[0].content.decode()
    assert last["Location"] == reverse("account_request_login_code"), "the right code came too late"
    assert not client.get(reverse("core:home")).context["user"].is_authenticated
