"""Idempotent creates (R31): the same Idempotency-Key gives the same answer, and one object.

A client that did not hear the answer to a POST sends it again with the same key. The first
request claims the key by inserting its row, runs, and stores its answer; a repeat with the same
body gets that answer again, marked as replayed; a repeat with another body is a mistake (422);
a repeat while the first still runs hears 409. Keys belong to one caller and last KEEP.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core.errors import DomainError
from madoguchi.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
KEY_MAX = 255


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


class KeyRefusedError(DomainError):
    """The key cannot be used for this request; status says how to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def run_once(request: HttpRequest, user: Any, create: Callable[[], Answer]) -> Answer:
    """Run create once per caller and key (the request's header); without a key, just run it.

    An answer of 5xx or an exception frees the key: nothing was created, so a retry may run.
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return create()
    if len(key) > KEY_MAX:
        raise KeyRefusedError(
            400,
            _("The Idempotency-Key header is longer than %(max)d characters.") % {"max": KEY_MAX},
        )
    claim = _claim(user, key, fingerprint(request))
    if isinstance(claim, Answer):
        return claim
    try:
        answer = create()
    except BaseException:
        claim.delete()
        raise
    if answer.status >= 500:
        claim.delete()
    else:
        claim.status_code, claim.response = answer.status, answer.body
        claim.save(update_fields=["status_code", "response"])
    return answer


def _claim(user: Any, key: str, print_: str) -> IdempotencyKey | Answer:
    """Insert the key's row, or return the stored answer of an earlier use of it."""
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=_cutoff()).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, fingerprint=print_)
    except IntegrityError:
        pass
    earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
    if earlier is not None and earlier.fingerprint != print_:
        raise KeyRefusedError(
            422, _("This Idempotency-Key was used for a different request; use a new key.")
        )
    if earlier is None or earlier.status_code is None:
        # Still running (or it failed and let go of the key a moment ago).
        raise KeyRefusedError(409, _("A request with this Idempotency-Key is in progress; retry."))
    return Answer(earlier.status_code, earlier.response, replayed=True)


def _cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - KEEP


def purge_expired(now: datetime | None = None) -> int:
    deleted, _counts = IdempotencyKey.objects.filter(created_at__lt=_cutoff(now)).delete()
    return deleted
