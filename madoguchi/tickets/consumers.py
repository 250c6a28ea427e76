"""Who else is on a request: agents viewing or typing on the same request see each other live.

Presence travels only as group messages of the channel layer (Redis across app nodes): a newcomer
announces itself and everyone there answers it directly; each socket repeats "viewing" on the
browser's heartbeat and says "left" when it closes. Browsers forget someone whose heartbeat
stops, so a node that dies without saying goodbye is forgotten too. No node keeps a list.
"""

import hashlib
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from madoguchi.core import access
from madoguchi.core.realtime import RevocableConsumer
from madoguchi.tickets.models import Ticket

MAX_FRAME_BYTES = 1024
REFUSED_CLOSE_CODE = 4403
BAD_FRAME_CLOSE_CODE = 4400
# A browser sends "typing" at most this often; faster frames are dropped, not forwarded.
TYPING_MIN_INTERVAL_SECONDS = 1.0
CLIENT_EVENTS = {"heartbeat": "viewing", "typing": "typing", "stopped": "viewing"}


def ticket_group(pk: object) -> str:
    return f"mdg.agent.request.{pk}"


@database_sync_to_async
def _may_work_on(user: Any, pk: int) -> bool:
    if not (user is not None and user.is_authenticated and user.is_staff and user.is_active):
        return False
    return access.visible(user, Ticket).filter(pk=pk).exists()


class AgentRequestConsumer(RevocableConsumer, AsyncJsonWebsocketConsumer):
    """One agent's socket on one request; refuses anyone who may not work on it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        pk = self.scope["url_route"]["kwargs"]["pk"]
        if not await _may_work_on(user, pk):
            await self.close(code=REFUSED_CLOSE_CODE)
            return
        self.group = ticket_group(pk)
        # Browsers tell sockets apart by this digest; the channel name itself stays server-side.
        digest = hashlib.sha256(self.channel_name.encode()).hexdigest()[:16]
        self.me = {"id": digest, "user": user.pk, "name": str(user)}
        self.last_typing = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._tell_group("joined", reply_to=self.channel_name)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self._tell_group("left")
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is not None or text_data is None or len(text_data) > MAX_FRAME_BYTES:
            await self.close(code=BAD_FRAME_CLOSE_CODE)
            return
        await super().receive(text_data=text_data)

    async def decode_json(self, text_data: str) -> object:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: object, **kwargs: object) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind not in CLIENT_EVENTS:
            await self.close(code=BAD_FRAME_CLOSE_CODE)
            return
        if kind == "typing":
            now = time.monotonic()
            if now - self.last_typing < TYPING_MIN_INTERVAL_SECONDS:
                return
            self.last_typing = now
        await self._tell_group(CLIENT_EVENTS[kind])

    async def presence_event(self, event: dict[str, Any]) -> None:
        """Another socket's news: pass it to this browser, and greet newcomers."""
        if event["id"] == self.me["id"] or event["user"] == self.me["user"]:
            return  # our own news, or the same agent in another tab
        await self.send_json(
            {"type": "presence", "state": event["state"], "id": event["id"], "name": event["name"]}
        )
        if event["state"] == "joined" and event.get("reply_to"):
            await self.channel_layer.send(
                event["reply_to"], {"type": "presence.event", "state": "viewing", **self.me}
            )

    async def _tell_group(self, state: str, **extra: str) -> None:
        await self.channel_layer.group_send(
            self.group, {"type": "presence.event", "state": state, **self.me, **extra}
        )
