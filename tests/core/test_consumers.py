import pytest
from channels.testing import WebsocketCommunicator

from madoguchi.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _connect(origin: bytes = b"http://localhost") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", origin), (b"host", b"localhost")]
    )
    return communicator


async def test_ping_crosses_the_channel_layer_and_comes_back() -> None:
    communicator = await _connect()
    connected, _ = await communicator.connect()
    assert connected

    await communicator.send_json_to({"type": "ping", "nonce": "n1"})

    assert await communicator.receive_json_from() == {
        "type": "pong", "nonce": "n1", "authenticated": False,
    }  # fmt: skip
    await communicator.disconnect()


async def test_foreign_origin_is_refused() -> None:
    communicator = await _connect(origin=b"https://evil.example")

    connected, _ = await communicator.connect()

    assert not connected


@pytest.mark.parametrize("frame", ["not json", '{"type": "other"}', "x" * 5000])
async def test_bad_frames_close_the_socket(frame: str) -> None:
    communicator = await _connect()
    await communicator.connect()

    await communicator.send_to(text_data=frame)

    assert (await communicator.receive_output())["code"] == 4400
