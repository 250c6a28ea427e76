"""R24: no `next` parameter sends a person off the site after signing in or out."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "https:evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "https://evil.example@localhost",
    "https://evil.example",
    "\uff0f\uff0fevil.example",  # full-width solidus
]


def _stays_on_site(location: str) -> bool:
    """A browser resolves the location against this site: no scheme, no host, no "//"."""
    parts = urlsplit(location)
    return not parts.scheme and not parts.netloc and not location.startswith(("//", "/\\", "\\"))


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_ignores_an_off_site_next(client: Client, alice: User, target: str) -> None:
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": PASSWORD, "next": target}
    )

    assert response.status_code == 302
    assert _stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_out_ignores_an_off_site_next(client: Client, alice: User, target: str) -> None:
    client.force_login(alice)

    response = client.post(reverse("account_logout"), {"next": target})

    assert _stays_on_site(response["Location"]), response["Location"]


def test_a_local_next_is_followed(client: Client, alice: User) -> None:
    response = client.post(
        reverse("account_login"),
        {"login": alice.email, "password": PASSWORD, "next": "/accounts/email/"},
    )

    assert response["Location"] == "/accounts/email/"
