from collections.abc import Callable

import pytest

from madoguchi.tickets.inbound.services import inbound_receive
from madoguchi.tickets.models import InboundMail
from tests.support.dovecot import imap_server

__all__ = ["imap_server"]


@pytest.fixture
def deliver(db: None) -> Callable[..., InboundMail]:
    """Hand raw mail to the receiving service as the LMTP receiver does."""

    def deliver(
        raw: bytes, *, to: tuple[str, ...] = ("support@localhost",), mail_from: str = "x@y.z"
    ) -> InboundMail:
        mail = inbound_receive(raw, source="lmtp", envelope_from=mail_from, envelope_to=to)
        mail.refresh_from_db()
        return mail

    return deliver
