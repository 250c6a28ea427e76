"""A TCP proxy that injects network faults in front of a real service (Redis, SMTP, a webhook).

Modes, changeable while it runs: "pass", "down" (reset every connection), "blackhole" (accept,
read, never answer), "latency:N" (N ms each way), "cut:N" (reset after N bytes from upstream).
"""

import asyncio
import socket
import struct
import threading
from contextlib import suppress

import pytest


class FaultProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.mode = "pass"
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> "FaultProxy":
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        self.connections += 1
        if mode == "down":
            _reset(writer)
            return
        if mode == "blackhole":
            try:
                while await reader.read(65536):
                    pass
            finally:
                writer.close()
            return
        delay = int(mode.split(":")[1]) / 1000 if mode.startswith("latency:") else 0
        budget = int(mode.split(":")[1]) if mode.startswith("cut:") else None
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        try:
            await asyncio.gather(
                _pipe(reader, up_writer, delay, None),
                _pipe(up_reader, writer, delay, budget),
                return_exceptions=True,
            )
        finally:
            up_writer.close()
            writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float, budget: int | None
) -> None:
    with suppress(ConnectionError):
        while data := await reader.read(65536):
            if delay:
                await asyncio.sleep(delay)
            if budget is not None:
                data = data[:budget]
                budget -= len(data)
            writer.write(data)
            await writer.drain()
            if budget is not None and budget <= 0:
                _reset(writer)
                return
    writer.close()


def redis_port() -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("Redis is not running on 127.0.0.1:6379")
    return 6379
