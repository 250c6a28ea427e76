"""A real SMTP server for tests (aiosmtpd on loopback) that can accept, defer or refuse mail."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django.fixtures import Settings

from tests.support.processes import free_port


@dataclass
class RecordingHandler:
    """Keep every accepted message; answer RCPT with `rcpt_reply` when it is set."""

    messages: list[EmailMessage] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.data_reply:
            return self.data_reply
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[RecordingHandler]:
    """Start an SMTP server on loopback and make it the portal's default mailer."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
            }
        }
        yield handler
    finally:
        controller.stop()


def plain_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mailed_path(message: EmailMessage, pattern: str) -> str:
    """The site-relative path of the first link in the mail whose path matches `pattern`."""
    for link in re.findall(r"https?://\S+", plain_body(message)):
        path = "/" + link.split("://", 1)[1].split("/", 1)[1]
        if re.search(pattern, path):
            return path
    raise AssertionError(f"no link matching {pattern!r} in the mail")
