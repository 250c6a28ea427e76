"""R23: sign-in, reset, sign-up and code requests answer alike for known and unknown addresses."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody@example.com"
_TOKENS = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|value="[^"]*@example\.com"'
)


def _comparable(response) -> tuple[int, str, str]:
    """Status, redirect target and page with the form's echo of the address and tokens removed."""
    body = _TOKENS.sub("", response.content.decode()) if response.status_code == 200 else ""
    return response.status_code, response.get("Location", ""), body


def _post(name: str, data: dict[str, str]):
    return _comparable(Client().post(reverse(name), data))


def test_a_wrong_password_reads_the_same_for_known_and_unknown_addresses(alice: User) -> None:
    known = _post("account_login", {"login": alice.email, "password": "wrong " + PASSWORD})
    unknown = _post("account_login", {"login": UNKNOWN, "password": "wrong " + PASSWORD})

    assert known[0] == 200
    assert known == unknown


def test_a_reset_request_reads_the_same(alice: User, smtp_server) -> None:
    known = _post("account_reset_password", {"email": alice.email})
    unknown = _post("account_reset_password", {"email": UNKNOWN})

    assert known == unknown
    assert known[0] == 302
    # Each address hears only about itself: the unknown one learns there is no account.
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([alice.email, UNKNOWN])


def test_signing_up_with_a_taken_address_reads_like_a_new_sign_up(alice: User, smtp_server) -> None:
    password = "a long passphrase nobody guesses"
    taken = _post(
        "account_signup", {"email": alice.email, "password1": password, "password2": password}
    )
    new = _post("account_signup", {"email": UNKNOWN, "password1": password, "password2": password})

    assert taken == new
    assert taken[0] == 302
    assert not User.objects.filter(email=alice.email).exclude(pk=alice.pk).exists()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([alice.email, UNKNOWN])


def test_a_sign_in_code_request_reads_the_same(alice: User, smtp_server) -> None:
    known = _post("account_request_login_code", {"email": alice.email})
    unknown = _post("account_request_login_code", {"email": UNKNOWN})

    assert known == unknown
    assert known[0] == 302
