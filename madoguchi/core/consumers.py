"""A WebSocket that answers through the channel layer: proves the socket and the layer work."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from madoguchi.core.realtime import RevocableConsumer

MAX_FRAME_BYTES = 4096


class PingConsumer(RevocableConsumer, AsyncJsonWebsocketConsumer):
    """Echo a ping back via the channel layer, so a reply crossed the same path chat will use."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is not None or text_data is None or len(text_data) > MAX_FRAME_BYTES:
            await self.close(code=4400)
            return
        await super().receive(text_data=text_data)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.close(code=4400)
            return
        await self.channel_layer.send(
            self.channel_name, {"type": "pong.send", "nonce": str(content.get("nonce", ""))[:64]}
        )

    async def decode_json(self, text_data: str) -> object:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def pong_send(self, event: dict[str, str]) -> None:
        user = self.scope.get("user")
        await self.send_json(
            {
                "type": "pong",
                "nonce": event["nonce"],
                "authenticated": bool(user and user.is_authenticated),
            }
        )
