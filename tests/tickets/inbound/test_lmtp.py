"""`manage.py receive_mail`: a real LMTP (and SMTP) server in a child process, fed by smtplib."""

import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from madoguchi.accounts.models import User
from madoguchi.tickets.mail import reply_address, thread_id
from madoguchi.tickets.models import InboundMail, Ticket
from tests.factories import make_ticket
from tests.support.processes import child_environment, free_port
from tests.tickets.inbound.mails import raw_mail

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
DEADLINE_SECONDS = 60.0
MAX_BYTES = 200_000


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("receive_mail did not start listening")


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (tmp_path / "receiver.log").open("ab")
    environment = child_environment(MADOGUCHI_PRIVATE_ROOT=str(tmp_path / "private"))
    command = ["receive_mail", "--port", str(port), "--max-bytes", str(MAX_BYTES), *extra]
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    _wait_for_port(port, process)
    return process, port


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=DEADLINE_SECONDS)


@pytest.fixture
def lmtp_port(tmp_path: Path) -> Iterator[int]:
    process, port = _start(tmp_path)
    try:
        yield port
    finally:
        if process.poll() is None:
            assert _stop(process) == 0


@pytest.fixture
def private_in_tmp(settings: object, tmp_path: Path) -> None:
    # The child writes raw mail under tmp_path/private, where this process reads it too.
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def test_a_reply_sent_over_lmtp_lands_in_the_thread(
    lmtp_port: int, alice: User, private_in_tmp: None
) -> None:
    ticket = make_ticket(alice)
    raw = raw_mail(
        to=reply_address(ticket),
        subject="Re: printer",
        body="Restarted, still jammed.\n\n> earlier text",
        headers={"In-Reply-To": thread_id(ticket)},
    )

    with smtplib.LMTP("127.0.0.1", lmtp_port) as client:
        refused = client.sendmail("alice@example.com", [reply_address(ticket)], raw)

    assert refused == {}
    mail = InboundMail.objects.get()
    assert (mail.status, mail.ticket_id, mail.source) == ("reply", ticket.pk, "lmtp")
    assert ticket.messages.last().body == "Restarted, still jammed."
    assert mail.raw.open("rb").read() == raw


def test_lmtp_answers_each_recipient(lmtp_port: int, alice: User, private_in_tmp: None) -> None:
    with smtplib.LMTP("127.0.0.1", lmtp_port) as client:
        client.ehlo_or_helo_if_needed()
        client.mail("alice@example.com")
        client.rcpt("support@localhost")
        client.rcpt("help@localhost")
        client.putcmd("data")
        assert client.getreply()[0] == 354
        client.send(raw_mail().replace(b"\r\n.", b"\r\n..") + b".\r\n")
        replies = [client.getreply()[0] for _recipient in range(2)]

    assert replies == [250, 250]
    assert Ticket.objects.count() == 1


def test_a_message_over_the_cap_is_refused_with_552(lmtp_port: int) -> None:
    raw = raw_mail(body=("x" * 70 + "\n") * (MAX_BYTES // 70))

    with smtplib.LMTP("127.0.0.1", lmtp_port) as client:
        # A client that announces the size (SIZE extension) is refused at MAIL FROM...
        with pytest.raises(smtplib.SMTPSenderRefused) as announced:
            client.sendmail("alice@example.com", ["support@localhost"], raw)
        assert client.esmtp_features["size"] == str(MAX_BYTES)
        # ...and one that does not is refused after DATA.
        client.mail("alice@example.com")
        client.rcpt("support@localhost")
        client.putcmd("data")
        assert client.getreply()[0] == 354
        client.send(raw + b".\r\n")
        sent = client.getreply()

    assert (announced.value.smtp_code, sent[0]) == (552, 552)
    assert not InboundMail.objects.exists()


def test_smtp_mode_receives_mail(tmp_path: Path, alice: User, private_in_tmp: None) -> None:
    process, port = _start(tmp_path, "--smtp")
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("alice@example.com", ["support@localhost"], raw_mail())
    finally:
        assert _stop(process) == 0

    mail = InboundMail.objects.get()
    assert (mail.source, mail.status, mail.ticket.requester) == ("smtp", "ticket", alice)


def test_database_down_answers_451_and_keeps_nothing(tmp_path: Path) -> None:
    """No 250 before the message is stored: with no database the sender must retry later."""
    port = free_port()
    environment = child_environment(
        MADOGUCHI_PRIVATE_ROOT=str(tmp_path / "private"),
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
        DATABASE_CONNECT_TIMEOUT="1",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "receive_mail", "--port", str(port)],
        cwd=settings.BASE_DIR, env=environment, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        with (
            smtplib.LMTP("127.0.0.1", port) as client,
            pytest.raises(smtplib.SMTPDataError) as deferred,
        ):
            client.sendmail("alice@example.com", ["support@localhost"], raw_mail())
    finally:
        assert _stop(process) == 0

    assert deferred.value.smtp_code == 451
    assert not list((tmp_path / "private").rglob("*.eml"))


def test_a_bounce_over_lmtp_is_recorded_and_not_answered(
    lmtp_port: int, alice: User, private_in_tmp: None
) -> None:
    ticket = make_ticket(alice)
    bounce = raw_mail(sender="alice@example.com", to=reply_address(ticket), subject="Undelivered")

    with smtplib.LMTP("127.0.0.1", lmtp_port) as client:
        client.sendmail("", [reply_address(ticket)], bounce)  # MAIL FROM:<>, the null sender

    mail = InboundMail.objects.get()
    assert (mail.status, mail.reason, mail.envelope_from) == ("ignored", "bounce", "<>")
    assert ticket.messages.count() == 1
