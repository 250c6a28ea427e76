"""`manage.py serve`: pages, WebSockets and the worker from one command; Ctrl-C stops them all."""

import asyncio
import io
import json
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import websockets
from django.conf import settings

from madoguchi.accounts.models import User
from madoguchi.core.management.commands import serve
from madoguchi.tickets.models import InboundMail
from tests.support.processes import child_environment, free_port
from tests.tickets.inbound.mails import raw_mail

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
DEADLINE_SECONDS = 60.0


def _get_json(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    body: dict[str, object] = {}
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status, body = _get_json(f"{base}/healthz")
        except OSError:
            status = 0
        if status == 200:
            return body
        time.sleep(0.1)
    pytest.fail(f"serve did not become healthy: {body}")


async def _ping(port: int) -> dict[str, object]:
    url = f"ws://127.0.0.1:{port}/ws/ping/"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as socket:
        await socket.send(json.dumps({"type": "ping", "nonce": "serve"}))
        return json.loads(await asyncio.wait_for(socket.recv(), 5))


def test_serve_answers_pages_and_websockets_then_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=settings.BASE_DIR, env=child_environment(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        health = _wait_until_healthy(base, process)
        with urllib.request.urlopen(f"{base}/", timeout=5) as response:  # noqa: S310 - loopback
            home = response.read().decode()
        pong = asyncio.run(_ping(port))

        process.send_signal(signal.SIGINT)
        exit_code = process.wait(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            # SIGTERM, not SIGKILL: serve then stops its children (in their own sessions).
            process.terminate()
            process.wait(timeout=DEADLINE_SECONDS)
        log.close()

    output = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert health["checks"]["worker"] == {"status": "ok"}
    assert "How can Madoguchi help you?" in home
    assert pong == {"type": "pong", "nonce": "serve", "authenticated": False}
    assert exit_code == 0, output
    assert f"Madoguchi is serving on http://127.0.0.1:{port}/" in output
    assert "alice@example.com" in output


def _lmtp_accepts(port: int, raw: bytes) -> bool:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            with smtplib.LMTP("127.0.0.1", port) as client:
                return client.sendmail("alice@example.com", ["support@localhost"], raw) == {}
        except OSError:
            time.sleep(0.1)
    return False


def test_serve_also_receives_mail_when_the_lmtp_port_is_set(tmp_path: Path, alice: User) -> None:
    """`make run` sets MADOGUCHI_LMTP_PORT: one command runs the whole email channel."""
    port, lmtp_port = free_port(), free_port()
    environment = child_environment(
        MADOGUCHI_LMTP_PORT=str(lmtp_port), MADOGUCHI_PRIVATE_ROOT=str(tmp_path / "private")
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", process)
        accepted = _lmtp_accepts(lmtp_port, raw_mail(subject="Sent to serve"))
        process.send_signal(signal.SIGINT)
        exit_code = process.wait(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=DEADLINE_SECONDS)
        log.close()

    output = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert accepted, output
    assert InboundMail.objects.get().ticket.subject == "Sent to serve"
    assert f"received over LMTP on 127.0.0.1:{lmtp_port}" in output
    assert exit_code == 0, output
    with pytest.raises(OSError):  # the receiver stopped with serve
        socket.create_connection(("127.0.0.1", lmtp_port), timeout=1).close()


def test_a_part_that_stops_badly_is_named_with_its_status() -> None:
    errors = io.StringIO()
    command = serve.Command(stderr=errors)
    parts = [
        subprocess.Popen([sys.executable, "-c", "pass"]),
        subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"]),
    ]
    for part in parts:
        part.wait()

    status = command._wait(parts, lambda: True)  # as after Ctrl-C: 0 is a clean stop

    assert status == 1
    assert errors.getvalue().strip() == "-c import sys; sys.exit(3) exited with status 3"
