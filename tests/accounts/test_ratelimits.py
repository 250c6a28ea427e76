"""R19 and F7: credential flows answer 429 with Retry-After, and fail closed without the cache."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from madoguchi.accounts.models import User
from tests.factories import PASSWORD
from tests.support.faultproxy import FaultProxy, redis_port

pytestmark = pytest.mark.django_db


def _fail_login(client: Client, email: str, **headers: str):
    return client.post(
        reverse("account_login"), {"login": email, "password": "wrong"}, headers=headers
    )


def test_the_sixth_failed_sign_in_is_a_429_with_retry_after(client: Client, alice: User) -> None:
    answers = [_fail_login(client, alice.email).status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
    locked = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed login attempts" in locked.content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_the_lockout_holds_across_rotating_addresses(alice: User) -> None:
    answers = [
        _fail_login(Client(), alice.email, x_forwarded_for=f"203.0.113.{n}").status_code
        for n in range(6)
    ]

    assert answers[-1] == 429


def test_sign_up_is_limited_per_address(client: Client) -> None:
    answers = [
        client.post(reverse("account_signup"), {"email": f"bot{n}@example.com"}).status_code
        for n in range(21)
    ]

    assert answers[-1] == 429
    assert answers[:20] == [200] * 20


@pytest.fixture
def redis_down(settings) -> FaultProxy:
    with FaultProxy(redis_port()) as proxy:
        settings.CACHES = {
            "default": {
                "BACKEND": "madoguchi.core.cache.ResilientRedisCache",
                "LOCATION": f"redis://{proxy.url}/15",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        proxy.mode = "down"
        yield proxy
        caches.close_all()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_without_the_cache_sign_in_fails_closed_and_pages_still_work(
    client: Client, alice: User, redis_down: FaultProxy, language: str
) -> None:
    headers = {"accept-language": language}
    page = client.get(reverse("account_login"), headers=headers)
    attempt = client.post(
        reverse("account_login"), {"login": alice.email, "password": PASSWORD}, headers=headers
    )
    home = client.get(reverse("core:home"), headers=headers)

    assert page.status_code == 200
    assert attempt.status_code == 503
    assert attempt["Retry-After"] == "30"
    text = {"en": "Signing in is unavailable", "ja": "ログインを一時的に"}[language]
    assert text in attempt.content.decode()
    assert home.status_code == 200


def test_signing_out_works_without_the_cache(
    client: Client, alice: User, redis_down: FaultProxy
) -> None:
    client.force_login(alice)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not client.get(reverse("core:home")).context["user"].is_authenticated
