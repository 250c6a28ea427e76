"""Where attachment bytes live: written under incoming/ first, moved into place on commit (F3).

A process killed half-way through a request leaves at most a file under incoming/ and no rows
(the transaction never committed). The sweeper, run on a schedule, finishes what a commit left
(a row that still names its incoming file gets it moved into place) and deletes the rest once
they are older than SWEEP_AGE, so nothing half-written stays behind. Storage keys are random
(R13): the name a person gave a file is only ever a display name.
"""

import os
import uuid
from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.utils import timezone

from madoguchi.accounts.models import private_storage

INCOMING = "incoming"
FINAL = "attachments"
# Longer than any upload takes, so the sweeper never touches a file still being written.
SWEEP_AGE = timedelta(hours=2)


def incoming_key() -> str:
    return f"{INCOMING}/{uuid.uuid4().hex}"


def final_key(incoming: str, now: datetime | None = None) -> str:
    moment = now or timezone.now()
    return f"{FINAL}/{moment:%Y/%m}/{incoming.rsplit('/', 1)[-1]}"


def move(storage: Storage, source: str, target: str) -> None:
    """Move a stored file; a rename on the local disk, a copy then a delete elsewhere."""
    if hasattr(storage, "path"):
        destination = storage.path(target)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        os.replace(storage.path(source), destination)
        return
    with storage.open(source, "rb") as content:
        storage.save(target, content)
    storage.delete(source)


def stale_incoming(now: datetime | None = None) -> list[str]:
    """Return the incoming keys older than SWEEP_AGE."""
    storage = private_storage()
    if not storage.exists(INCOMING):
        return []
    limit = (now or timezone.now()) - SWEEP_AGE
    _dirs, files = storage.listdir(INCOMING)
    keys = [f"{INCOMING}/{name}" for name in files]
    return [key for key in keys if storage.get_modified_time(key) < limit]
