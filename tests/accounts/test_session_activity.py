"""A session's "last seen" row is written when it starts or moves, not on every page."""

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from allauth.usersessions.signals import session_client_changed
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.models import User

pytestmark = pytest.mark.django_db

ACTIVITY = "tickets:activity"


def _writes(client: Client, **headers: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(ACTIVITY), **headers).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "usersessions_usersession" in q["sql"]]


def test_a_new_session_is_recorded_on_its_first_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.get(reverse(ACTIVITY), HTTP_USER_AGENT="Firefox")

    session = UserSession.objects.get(user=alice)
    assert session.session_key == client.session.session_key
    assert session.user_agent == "Firefox"


def test_later_pages_of_the_same_client_write_nothing(client: Client, alice: User) -> None:
    client.force_login(alice)
    _writes(client, HTTP_USER_AGENT="Firefox")

    assert _writes(client, HTTP_USER_AGENT="Firefox") == []
    assert _writes(client, HTTP_USER_AGENT="Firefox") == []


def test_a_new_browser_or_address_is_recorded_at_once(client: Client, alice: User) -> None:
    changes = []

    def heard(**kwargs: object) -> None:
        before, after = kwargs["from_session"], kwargs["to_session"]
        changes.append(((before.user_agent, before.ip), (after.user_agent, after.ip)))

    session_client_changed.connect(heard)
    try:
        client.force_login(alice)
        _writes(client, HTTP_USER_AGENT="Firefox")
        assert _writes(client, HTTP_USER_AGENT="Chromium") != []
        assert _writes(client, HTTP_USER_AGENT="Chromium", REMOTE_ADDR="192.0.2.7") != []
    finally:
        session_client_changed.disconnect(heard)

    session = UserSession.objects.get(user=alice)
    assert (session.user_agent, session.ip) == ("Chromium", "192.0.2.7")
    assert changes == [
        (("Firefox", "127.0.0.1"), ("Chromium", "127.0.0.1")),
        (("Chromium", "127.0.0.1"), ("Chromium", "192.0.2.7")),
    ]


def test_last_seen_moves_on_after_the_interval(client: Client, alice: User) -> None:
    client.force_login(alice)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _writes(client)
    interval = timedelta(seconds=settings.USERSESSIONS_ACTIVITY_SECONDS + 1)
    with time_machine.travel(start + interval, tick=False):
        assert _writes(client) != []

    assert UserSession.objects.get(user=alice).last_seen_at == start + interval
