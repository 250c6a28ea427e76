"""The live indicator's socket: agents on the same request see each other; nobody else gets in.

Runs the real ASGI application (origin check, session authentication, routing) over the
configured channel layer, with sessions made by signing in.
"""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.asgi import application
from madoguchi.core.realtime import REVOKED_CLOSE_CODE
from madoguchi.tickets.consumers import REFUSED_CLOSE_CODE
from madoguchi.tickets.models import Ticket
from tests.factories import make_ticket, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_thread_connections() -> AsyncIterator[None]:
    yield
    await sync_to_async(connections.close_all)()


def _session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    client.get("/", HTTP_HOST="localhost")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _path(ticket: Ticket | int) -> str:
    return f"/ws/agent/requests/{getattr(ticket, 'pk', ticket)}/"


async def _open(path: str, user: User | None = None) -> tuple[bool, WebsocketCommunicator]:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        key = await sync_to_async(_session_of)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    if not connected:
        assert code == REFUSED_CLOSE_CODE
    return connected, communicator


@pytest.fixture
def ticket(alice: User) -> Ticket:
    return make_ticket(alice)


@pytest.fixture
def hanako(db: None) -> User:
    return make_user("hanako@example.com", name="Hanako", is_staff=True)


async def test_two_agents_see_each_other_typing_and_leaving(
    ticket: Ticket, dave: User, hanako: User
) -> None:
    _ok, first = await _open(_path(ticket), dave)
    _ok, second = await _open(_path(ticket), hanako)

    joined = await first.receive_json_from()
    assert joined["type"] == "presence" and joined["state"] == "joined"
    assert joined["name"] == "Hanako"
    greeting = await second.receive_json_from()  # the newcomer learns who was there
    assert (greeting["state"], greeting["name"]) == ("viewing", "Dave Agent")

    await second.send_json_to({"type": "typing"})
    typing = await first.receive_json_from()
    assert (typing["state"], typing["name"], typing["id"]) == ("typing", "Hanako", joined["id"])
    await second.send_json_to({"type": "typing"})  # within the throttle: not forwarded
    await second.send_json_to({"type": "heartbeat"})
    assert (await first.receive_json_from())["state"] == "viewing"

    await second.disconnect()
    left = await first.receive_json_from()
    assert (left["state"], left["id"]) == ("left", joined["id"])
    assert await first.receive_nothing(timeout=0.2)
    await first.disconnect()


async def test_agents_on_other_requests_hear_nothing(
    ticket: Ticket, alice: User, dave: User, hanako: User
) -> None:
    other = await sync_to_async(make_ticket)(alice, subject="Other")
    _ok, here = await _open(_path(ticket), dave)
    _ok, there = await _open(_path(other), hanako)

    await there.send_json_to({"type": "typing"})

    assert await here.receive_nothing(timeout=0.3)
    await here.disconnect()
    await there.disconnect()


async def test_the_same_agent_in_two_tabs_is_not_shown_to_themself(
    ticket: Ticket, dave: User
) -> None:
    _ok, first = await _open(_path(ticket), dave)
    _ok, second = await _open(_path(ticket), dave)

    await second.send_json_to({"type": "typing"})

    assert await first.receive_nothing(timeout=0.3)
    await first.disconnect()
    await second.disconnect()


async def test_customers_and_visitors_are_refused(
    ticket: Ticket, alice: User, bob: User, carol: User
) -> None:
    for user in (alice, bob, carol, None):  # requester, their org admin, another org, nobody
        connected, _communicator = await _open(_path(ticket), user)
        assert not connected


async def test_requests_agents_may_not_see_are_refused(ticket: Ticket, dave: User) -> None:
    await sync_to_async(Ticket.objects.filter(pk=ticket.pk).update)(
        approval=Ticket.Approval.PENDING
    )

    assert not (await _open(_path(ticket), dave))[0]  # waits for the customer's approval
    assert not (await _open(_path(999999), dave))[0]


async def test_ending_the_agents_access_closes_the_socket(ticket: Ticket, hanako: User) -> None:
    _ok, socket = await _open(_path(ticket), hanako)

    @sync_to_async
    def deactivate() -> None:
        hanako.is_active = False
        hanako.save()

    await deactivate()

    assert await socket.receive_output(timeout=1) == {
        "type": "websocket.close", "code": REVOKED_CLOSE_CODE,
    }  # fmt: skip


@pytest.mark.parametrize("frame", ["not json", '{"type": "shout"}', "x" * 2000, "[]"])
async def test_bad_frames_close_the_socket(ticket: Ticket, dave: User, frame: str) -> None:
    _ok, socket = await _open(_path(ticket), dave)

    await socket.send_to(text_data=frame)

    assert (await socket.receive_output())["code"] == 4400
