"""Receive mail over LMTP (or SMTP with --smtp) and turn each message into a request or reply.

Point the mail server at it (docs/requests.md), e.g. Postfix:
`virtual_transport = lmtp:inet:127.0.0.1:2424`. Stops cleanly on SIGTERM or SIGINT.
"""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from madoguchi.tickets.inbound.lmtp import ReceiverController


class Command(BaseCommand):
    help = "Receive mail over LMTP (or SMTP) for requests and replies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.INBOUND_LMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.INBOUND_LMTP_PORT)
        parser.add_argument(
            "--smtp", action="store_true", help="Speak SMTP instead of LMTP (behind an MTA)."
        )
        parser.add_argument("--max-bytes", type=int, default=settings.INBOUND_MAX_BYTES)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = ReceiverController(
            host=options["host"],
            port=options["port"],
            max_bytes=options["max_bytes"],
            smtp=options["smtp"],
        )
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        controller.start()
        protocol = "SMTP" if options["smtp"] else "LMTP"
        self.stdout.write(f"Receiving mail over {protocol} on {options['host']}:{options['port']}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
            controller.handler.executor.shutdown(wait=True)
        self.stdout.write("Stopped.")
