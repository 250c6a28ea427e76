"""Fetch unread mail from the IMAP mailbox once (or every --every seconds) and process it.

The task worker also polls on its own when MADOGUCHI_IMAP_HOST is set (a periodic job); this
command is for a first check of the settings and for setups without a worker.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.tickets.inbound.imap import imap_configured, imap_poll


class Command(BaseCommand):
    help = "Fetch unread mail from the configured IMAP mailbox and turn it into requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Keep polling, waiting this many seconds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not imap_configured():
            raise CommandError("MADOGUCHI_IMAP_HOST is not set.")
        while True:
            fetched = imap_poll()
            self.stdout.write(f"Fetched {fetched} message(s).")
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
