"""Requests from visitors who are not signed in (issue 4 item 2, when the brand allows it).

The request is held (GuestRequest) and a signed link that expires is mailed to the address
given. Only following the link creates the request, under the account with that address (made
without a password when there is none): nobody can put a request on someone else's account by
typing their address.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import User, private_storage
from madoguchi.branding.models import Brand
from madoguchi.core import uploads as attachments
from madoguchi.core.errors import DomainError
from madoguchi.core.mail import enqueue_mail
from madoguchi.tickets import mail, services
from madoguchi.tickets.models import GuestRequest, HeldFile, RequestType, Ticket

SALT = "madoguchi.tickets.guest-request"


class GuestLinkError(DomainError):
    """The confirmation link is broken, expired, or was used already."""


@dataclass(frozen=True)
class GuestSubmission:
    brand: Brand
    request_type: RequestType
    name: str
    email: str
    subject: str
    description: str
    answers: dict[str, Any] = field(default_factory=dict)
    field_files: dict[str, UploadedFile] = field(default_factory=dict)


def confirmation_token(hold: GuestRequest) -> str:
    return signing.dumps(hold.pk, salt=SALT)


def guest_request_hold(new: GuestSubmission, *, language: str) -> GuestRequest:
    """Hold a visitor's request and mail them the link that confirms it (in language).

    Files are checked as a signed-in customer's are, and kept privately until confirmation.
    """
    if not new.brand.accepts_guest_requests:
        raise DomainError(_("Sign in to submit a request."))
    checked = {key: attachments.check(upload) for key, upload in new.field_files.items()}
    now = timezone.now()
    with services.files_kept_only_on_success() as stored, transaction.atomic():
        hold = GuestRequest.objects.create(
            brand=new.brand,
            request_type=new.request_type,
            name=new.name.strip(),
            email=new.email.strip(),
            subject=new.subject.strip(),
            description=new.description,
            answers=new.answers,
            created_at=now,
            expires_at=now + timedelta(hours=settings.GUEST_REQUEST_HOURS),
        )
        for key, upload in new.field_files.items():
            found = checked[key]
            held = HeldFile(
                guest_request=hold,
                field_key=key,
                name=found.name,
                content_type=found.content_type,
                size=found.size,
            )
            storage = private_storage()
            target = storage.get_available_name(held.file.field.generate_filename(held, found.name))
            # Noted before writing: a write that fails half-way leaves a file to remove too.
            stored.append(target)
            held.file.name = storage.save(target, upload)
            held.save()
        message = mail.guest_confirmation(hold, confirmation_token(hold), language=language)
        enqueue_mail(message, idempotency_key=f"guest-request-{hold.pk}")
    return hold


def guest_request_confirm(token: str) -> Ticket:
    """Turn a held request into a real one under the account of its address.

    The account is created (without a password, address verified) when there is none. Locks
    the held row, so that a double click creates one request.
    """
    try:
        pk = signing.loads(token, salt=SALT, max_age=timedelta(hours=settings.GUEST_REQUEST_HOURS))
    except signing.BadSignature as error:
        raise GuestLinkError(_("This confirmation link is not valid or has expired.")) from error
    with transaction.atomic():
        hold = GuestRequest.objects.select_for_update().filter(pk=pk).first()
        if hold is None:
            raise GuestLinkError(_("This request was confirmed already, or it has expired."))
        requester = _account_for(hold)
        with _opened(hold) as files:
            ticket = services.ticket_create(
                services.NewRequest(
                    brand=hold.brand,
                    requester=requester,
                    subject=hold.subject,
                    description=hold.description,
                    request_type=hold.request_type,
                    answers=hold.answers,
                    via=Ticket.Via.WEB,
                    field_files=files,
                )
            )
        _delete(hold)
    return ticket


def _account_for(hold: GuestRequest) -> User:
    user = User.objects.filter(email__iexact=hold.email).first()
    if user is None:
        user = User.objects.create_user(hold.email, None, name=hold.name)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if not user.is_active:
        raise GuestLinkError(_("Requests cannot be submitted for this address."))
    return user


@contextmanager
def _opened(hold: GuestRequest) -> Iterator[dict[str, File]]:
    files = {held.field_key: held for held in hold.files.all()}
    opened = {key: File(held.file.open("rb"), name=held.name) for key, held in files.items()}
    try:
        yield opened
    finally:
        for handle in opened.values():
            handle.close()


def _delete(hold: GuestRequest) -> None:
    names = list(hold.files.values_list("file", flat=True))
    hold.delete()
    storage = private_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def guest_requests_purge(*, now: datetime | None = None) -> int:
    """Delete held requests nobody confirmed in time, with their files; return how many."""
    expired = GuestRequest.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for hold in expired:
        with transaction.atomic():
            _delete(hold)
        count += 1
    return count
