"""Ending access closes the person's open WebSockets within a second (R21)."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from allauth.usersessions.models import UserSession
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import logout
from django.db import connections
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from madoguchi.accounts.models import Membership, User
from madoguchi.accounts.revocation import UserSessionsAdapter
from madoguchi.asgi import application
from madoguchi.core.realtime import REVOKED_CLOSE_CODE
from tests.factories import PASSWORD, make_organisation, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _signed_in_session(user: User) -> str:
    client = Client()
    client.force_login(user)
    client.get("/", HTTP_HOST="localhost")  # allauth records the session on a request
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _socket(session_key: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application,
        "/ws/ping/",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping", "nonce": "x"})
    assert (await communicator.receive_json_from())["authenticated"] is True
    return communicator


async def _assert_closed(communicator: WebsocketCommunicator) -> None:
    output = await communicator.receive_output(timeout=1)
    assert output == {"type": "websocket.close", "code": REVOKED_CLOSE_CODE}


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_thread_connections() -> AsyncIterator[None]:
    # Sync code run from these tests keeps its connection (CONN_MAX_AGE); PostgreSQL can only
    # drop the test database once it is closed.
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def member() -> tuple[User, Membership]:
    user = make_user("mia@example.com")
    organisation = make_organisation("Org M", "org-m")
    return user, Membership.objects.create(user=user, organisation=organisation)


@pytest.fixture
def session_key(member: tuple[User, Membership]) -> str:
    return _signed_in_session(member[0])


def _deactivate(user: User) -> None:
    user.is_active = False
    user.save()


async def test_deactivating_the_user_closes_their_socket(
    member: tuple[User, Membership], session_key: str
) -> None:
    communicator = await _socket(session_key)

    await sync_to_async(_deactivate)(member[0])

    await _assert_closed(communicator)


async def test_removing_a_membership_closes_the_members_socket(
    member: tuple[User, Membership], session_key: str
) -> None:
    communicator = await _socket(session_key)

    await sync_to_async(member[1].delete)()

    await _assert_closed(communicator)


async def test_a_new_password_closes_the_users_sockets(
    member: tuple[User, Membership], session_key: str
) -> None:
    communicator = await _socket(session_key)

    @sync_to_async
    def change_password() -> HttpResponse:
        client = Client()
        client.force_login(member[0])
        new = "a different long passphrase"
        data = {"oldpassword": PASSWORD, "password1": new, "password2": new}
        return client.post(reverse("account_change_password"), data, HTTP_HOST="localhost")

    assert (await change_password()).status_code == 302

    await _assert_closed(communicator)


async def test_ending_one_session_closes_only_its_socket(
    member: tuple[User, Membership], session_key: str
) -> None:
    other_key = await sync_to_async(_signed_in_session)(member[0])
    ended, kept = await _socket(session_key), await _socket(other_key)

    @sync_to_async
    def end_first() -> None:
        UserSessionsAdapter().end_sessions(UserSession.objects.filter(session_key=session_key))

    await end_first()

    await _assert_closed(ended)
    assert await kept.receive_nothing(timeout=0.3)
    await kept.disconnect()


async def test_signing_out_closes_that_sessions_socket(
    member: tuple[User, Membership], session_key: str
) -> None:
    communicator = await _socket(session_key)

    @sync_to_async
    def sign_out() -> None:
        request = RequestFactory().post("/accounts/logout/")
        request.session = Client().session.__class__(session_key)
        request.user = member[0]
        logout(request)

    await sign_out()

    await _assert_closed(communicator)


async def test_an_ordinary_save_leaves_the_socket_open(
    member: tuple[User, Membership], session_key: str
) -> None:
    communicator = await _socket(session_key)
    member[0].name = "Mia"

    await sync_to_async(member[0].save)()

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
