"""Keep a received mail's raw bytes before anything else happens to it (R38, F17).

A receiver answers "accepted" only after inbound_store() returned: the bytes are in private
storage (flushed to disk where the storage is a local file system) and the row that points to
them is committed. The same message delivered again (same Message-ID and the same bytes) finds
its row and is not stored or processed a second time.
"""

import hashlib
import os
import uuid
from email import policy
from email.parser import BytesParser

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.accounts.models import private_storage
from madoguchi.tickets.inbound.parse import (
    addresses,
    decode_header_value,
    message_ids,
    storable,
)
from madoguchi.tickets.models import InboundMail

SUBJECT_MAX = InboundMail._meta.get_field("subject").max_length or 300


def inbound_store(
    raw: bytes, *, source: str, envelope_from: str = "", envelope_to: tuple[str, ...] = ()
) -> tuple[InboundMail, bool]:
    """Keep the raw message; return its row and whether it is new (False: a redelivery).

    Raises the database's error when the database is unavailable; the caller then answers with
    a temporary failure so that the sender tries again. No file is left behind in that case.
    """
    digest = hashlib.sha256(raw).hexdigest()
    message_id, sender, subject = _summary(raw)
    existing = InboundMail.objects.filter(message_id=message_id, raw_sha256=digest).first()
    if existing is not None:
        return existing, False
    storage = private_storage()
    now = timezone.now()
    name = storage.save(f"inbound/{now:%Y/%m}/{uuid.uuid4().hex}.eml", ContentFile(raw))
    try:
        _flush(storage, name)
        with transaction.atomic():
            row = InboundMail.objects.create(
                message_id=message_id,
                raw_sha256=digest,
                raw=name,
                size=len(raw),
                source=source,
                envelope_from=storable(envelope_from)[:320],
                envelope_to=[storable(address)[:320] for address in envelope_to[:100]],
                sender=sender,
                subject=subject,
                received_at=now,
            )
    except IntegrityError:
        # The same message arrived twice at once; the other delivery stored it.
        storage.delete(name)
        return InboundMail.objects.get(message_id=message_id, raw_sha256=digest), False
    except BaseException:
        storage.delete(name)
        raise
    return row, True


def inbound_raw(mail: InboundMail) -> bytes:
    """Return the raw bytes of a received message."""
    with mail.raw.open("rb") as handle:
        return handle.read()


def _summary(raw: bytes) -> tuple[str, str, str]:
    """Message-ID, sender and subject for the list of received mail; blank when unreadable."""
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        values = {str(k).lower(): str(v) for k, v in reversed(headers.items())}
    except Exception:
        return "", "", ""
    ids = message_ids(values.get("message-id", ""))
    senders = addresses(decode_header_value(values.get("from", "")))
    subject = decode_header_value(values.get("subject", ""))[:SUBJECT_MAX]
    return (ids[0] if ids else ""), (senders[0][1] if senders else ""), subject


def _flush(storage: object, name: str) -> None:
    """Push the file to the disk itself, so a power cut after "accepted" loses nothing."""
    try:
        path = storage.path(name)  # type: ignore[attr-defined]
    except NotImplementedError:
        return  # Remote storage (S3) has stored it durably once save() returned.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
