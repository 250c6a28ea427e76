"""IMAP polling: fetch unread mail from a mailbox, store and process each, then mark it done.

A message is marked read (or moved to MADOGUCHI_IMAP_DONE_FOLDER) only after it is stored, so
a crash in between leaves it unread, and the next poll fetches it again: the dedupe table
(same Message-ID and bytes) makes that second fetch change nothing.
"""

import imaplib
import ipaddress
import logging
import re
import ssl
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task

from madoguchi.core import periodic
from madoguchi.tickets.inbound.services import inbound_quarantine_oversized, inbound_receive
from madoguchi.tickets.models import InboundMail

logger = logging.getLogger("madoguchi.inbound")

BATCH = 50
# An oversized message's header is kept for the quarantine list; a header past this is cut.
HEADER_BYTES = 64 * 1024
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


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
    # The receiver's cap (MADOGUCHI_INBOUND_MAX_BYTES): larger messages are never downloaded.
    max_bytes: int = 100 * 1024 * 1024

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
            max_bytes=settings.INBOUND_MAX_BYTES,
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
            _take(connection, uid, account)
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


def _take(connection: imaplib.IMAP4, uid: bytes, account: ImapAccount) -> None:
    """Receive one message, or only its header into quarantine when it is over the cap."""
    size = _size(connection, uid)
    raw = b"" if size > account.max_bytes else _fetch(connection, uid)
    if size > account.max_bytes or len(raw) > account.max_bytes:
        head = _fetch(connection, uid, f"BODY.PEEK[HEADER]<0.{HEADER_BYTES}>")
        where = f"the IMAP folder {account.done_folder or account.folder} (UID {uid.decode()})"
        inbound_quarantine_oversized(
            head,
            size=max(size, len(raw)),
            limit=account.max_bytes,
            source=InboundMail.Source.IMAP,
            where=where,
        )
        return
    inbound_receive(raw, source=InboundMail.Source.IMAP)


def _size(connection: imaplib.IMAP4, uid: bytes) -> int:
    """The size the server gives for the message; 0 when it gives none (the fetch is checked)."""
    _status, data = connection.uid("FETCH", uid, "(RFC822.SIZE)")
    for item in data:
        found = _SIZE.search(item[0] if isinstance(item, tuple) else item or b"")
        if found:
            return int(found.group(1))
    return 0


def _fetch(connection: imaplib.IMAP4, uid: bytes, part: str = "BODY.PEEK[]") -> bytes:
    # BODY.PEEK leaves \\Seen unset until the message is stored.
    _status, data = connection.uid("FETCH", uid, f"({part})")
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
