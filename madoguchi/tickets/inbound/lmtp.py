"""The LMTP (or SMTP) receiver: the mail server hands us each message over a socket.

The answer to DATA is "250" only after the raw message is stored and committed; a database
that cannot be reached gets "451" so that the mail server keeps the message and tries again.
Processing happens after storing, and its failures quarantine the message (they are not the
mail server's problem). Messages over the size cap are refused with "552" (SMTP SIZE).
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections

from madoguchi.tickets.inbound.services import inbound_receive
from madoguchi.tickets.models import InboundMail

logger = logging.getLogger("madoguchi.inbound")
# aiosmtpd logs every command and address at INFO: too much, and personal data, for a server log.
logging.getLogger("mail.log").setLevel(logging.WARNING)

ACCEPTED = "250 2.0.0 Message accepted"
TRY_LATER = "451 4.3.0 The mail store is unavailable; try again later"
# RFC 5321 allows 998 characters a line, but real mail breaks that; the size cap still holds.
LINE_LENGTH_LIMIT = 64 * 1024


class InboundHandler:
    """aiosmtpd handler: store then process each message in a worker thread (the ORM is sync)."""

    def __init__(self, *, source: str, workers: int = 4) -> None:
        self.source = source
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inbound")

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                self.executor,
                _store_and_process,
                raw,
                self.source,
                # The null sender of a bounce arrives as an empty MAIL FROM.
                envelope.mail_from or "<>",
                tuple(envelope.rcpt_tos),
            )
        except Exception:
            logger.exception("Could not store a received message; the sender will retry")
            status = TRY_LATER
        else:
            status = ACCEPTED
        if isinstance(server, LMTP):
            # LMTP answers DATA once per recipient.
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status


def _store_and_process(
    raw: bytes, source: str, envelope_from: str, envelope_to: tuple[str, ...]
) -> None:
    close_old_connections()
    try:
        inbound_receive(raw, source=source, envelope_from=envelope_from, envelope_to=envelope_to)
    finally:
        close_old_connections()


class ReceiverController(Controller):
    """aiosmtpd's threaded controller, serving LMTP unless smtp is asked for."""

    def __init__(self, *, host: str, port: int, max_bytes: int, smtp: bool = False) -> None:
        source = InboundMail.Source.SMTP if smtp else InboundMail.Source.LMTP
        self.server_class = SMTP if smtp else LMTP
        super().__init__(
            InboundHandler(source=source),
            hostname=host,
            port=port,
            data_size_limit=max_bytes,
            # Keep the bytes as they came: decoding is the parser's job.
            decode_data=False,
            ident="Madoguchi",
        )

    def factory(self) -> SMTP:
        server = self.server_class(self.handler, **self.SMTP_kwargs)
        server.line_length_limit = LINE_LENGTH_LIMIT
        return server
