"""Live connections follow the access that opened them: ending access closes the sockets.

A consumer joins a group for its user and one for its session. Code that ends a session, signs a
person out, deactivates them or takes away a membership calls close_user_sockets or
close_session_sockets; every node's consumers in those groups close at once (R21), and the browser
reconnects, authenticating afresh.
"""

import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

REVOKED_CLOSE_CODE = 4401
_REVOKED = {"type": "access.revoked"}


def user_group(user_id: object) -> str:
    return f"mdg.user.{user_id}"


def session_group(session_key: str) -> str:
    # Group names travel to Redis; a digest keeps the session key itself out of it.
    return "mdg.session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def _send(groups: Iterable[str]) -> None:
    layer = get_channel_layer()
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, _REVOKED)
        except Exception:
            # The layer (Redis) is down: the sockets it would reach cannot receive anything
            # either, and a reconnect authenticates from the session again.
            logger.warning("realtime.revoke_failed", extra={"group": group}, exc_info=True)


def close_user_sockets(user_id: object) -> None:
    """Close every open socket of this user, once the current transaction commits."""
    groups = [user_group(user_id)]
    transaction.on_commit(lambda: _send(groups))


def close_session_sockets(session_keys: Iterable[str]) -> None:
    """Close the sockets opened by these sessions, once the current transaction commits."""
    groups = [session_group(key) for key in session_keys if key]
    if groups:
        transaction.on_commit(lambda: _send(groups))


class RevocableConsumer(AsyncWebsocketConsumer):
    """A consumer whose socket closes when its user's access or session ends."""

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        self._revocation_groups = self._groups_of_scope()
        for group in self._revocation_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await super().websocket_connect(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        for group in getattr(self, "_revocation_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        await super().websocket_disconnect(message)

    async def access_revoked(self, _event: dict[str, Any]) -> None:
        await self.close(code=REVOKED_CLOSE_CODE)

    def _groups_of_scope(self) -> list[str]:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return []
        groups = [user_group(user.pk)]
        session = self.scope.get("session")
        if session is not None and session.session_key:
            groups.append(session_group(session.session_key))
        return groups
