"""IMAP polling: fetch unread mail from a mailbox, store and process each, then mark it done.

A message is marked read (or moved to MADOGUCHI_IMAP_DONE_FOLDER) only after it is stored, so
a crash in between leaves it unread, and the next poll fetches it again: the dedupe table
(same Message-ID and bytes) makes that second fetch change nothing.
"""

import imaplib
import ipaddress
import logging
import ssl
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task

from madoguchi.core import periodic
from madoguchi.tickets.inbound.services import inbound_receive
from madoguchi.tickets.models import InboundMail

logger = logging.getLogger("madoguchi.inbound")

BATCH = 50


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str = "INBOX"
    done_folder: str = ""
    timeout: int = 30

    @classmethod
    def from_settings(cls) -> "ImapAccount":
        return cls(
            host=settings.IMAP_HOST,
            port=settings.IMAP_PORT,
            security=settings.IMAP_SECURITY,
            user=settings.IMAP_USER,
            password=settings.IMAP_PASSWORD,
            folder=settings.IMAP_FOLDER,
            done_folder=settings.IMAP_DONE_FOLDER,
            timeout=settings.IMAP_TIMEOUT,
        )


def imap_configured() -> bool:
    return bool(settings.IMAP_HOST)


def register_polling(task: Task) -> None:
    """Make polling a periodic job of the task worker, when an IMAP host is configured."""
    if imap_configured():
        every = timedelta(minutes=max(1, settings.IMAP_POLL_MINUTES))
        periodic.register("tickets.imap_poll", task, every=every)


def imap_poll(account: ImapAccount | None = None) -> int:
    """Fetch up to BATCH unread messages and receive each one; return how many were fetched.

    Stops at the first message that cannot be stored (the database is down): it stays unread.
    """
    account = account or ImapAccount.from_settings()
    connection = _connect(account)
    try:
        connection.login(account.user, account.password)
        _ok(connection.select(_quoted(account.folder)))
        _status, found = connection.uid("SEARCH", None, "UNSEEN")
        uids = (found[0] or b"").split()[:BATCH]
        for uid in uids:
            raw = _fetch(connection, uid)
            inbound_receive(raw, source=InboundMail.Source.IMAP)
            _mark_done(connection, uid, account)
        if account.done_folder and uids:
            connection.expunge()
        return len(uids)
    finally:
        _logout(connection)


def _connect(account: ImapAccount) -> imaplib.IMAP4:
    if account.security == "ssl":
        context = ssl.create_default_context()
        return imaplib.IMAP4_SSL(
            account.host, account.port, ssl_context=context, timeout=account.timeout
        )
    if account.security == "plain" and not _is_loopback(account.host):
        raise ImproperlyConfigured(
            "MADOGUCHI_IMAP_SECURITY=plain sends the password in clear: only for a loopback host."
        )
    connection = imaplib.IMAP4(account.host, account.port, timeout=account.timeout)
    if account.security == "starttls":
        connection.starttls(ssl.create_default_context())
    return connection


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fetch(connection: imaplib.IMAP4, uid: bytes) -> bytes:
    # BODY.PEEK leaves \\Seen unset until the message is stored.
    _status, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    raise imaplib.IMAP4.error(f"no message body for UID {uid!r}")


def _mark_done(connection: imaplib.IMAP4, uid: bytes, account: ImapAccount) -> None:
    if account.done_folder:
        _ok(connection.uid("COPY", uid, _quoted(account.done_folder)))
        _ok(connection.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)"))
    else:
        _ok(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"))


def _ok(response: tuple[str, list[object]]) -> None:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP server answered {status}: {data!r}")


def _quoted(folder: str) -> str:
    escaped = folder.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _logout(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except (OSError, imaplib.IMAP4.error):
        logger.info("The IMAP server closed the connection before logout")
