"""Guest requests: held until the address is confirmed, then a real request under its account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from madoguchi.core.errors import DomainError
from madoguchi.core.uploads import AttachmentRefusedError
from madoguchi.tickets import guests
from madoguchi.tickets.models import (
    Attachment,
    FormField,
    GuestRequest,
    HeldFile,
    RequestType,
    Ticket,
)
from tests.tickets.conftest import add_field

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def brand() -> Brand:
    brand = default_brand()
    brand.guest_requests = True
    brand.save()
    return brand


def _submission(
    brand: Brand, request_type: RequestType, **fields: object
) -> guests.GuestSubmission:
    values = {
        "brand": brand,
        "request_type": request_type,
        "name": "Kenji Sato",
        "email": "kenji@example.com",
        "subject": "Broken lid",
        "description": "It arrived cracked.",
        **fields,
    }
    return guests.GuestSubmission(**values)


def _token() -> str:
    (sent,) = mail.outbox
    return re.search(r"/requests/guest/([^/\s]+)/", sent.body).group(1)


def test_a_held_request_creates_nothing_until_confirmed(
    brand: Brand, request_type: RequestType
) -> None:
    hold = guests.guest_request_hold(_submission(brand, request_type), language="en")

    assert not Ticket.objects.exists()
    assert not User.objects.filter(email="kenji@example.com").exists()
    (sent,) = mail.outbox
    assert sent.to == ["kenji@example.com"]
    assert sent.subject == "Please confirm your request: Broken lid"
    assert hold.expires_at - hold.created_at == timedelta(hours=48)


def test_confirming_creates_a_passwordless_account_and_the_request(
    brand: Brand, request_type: RequestType
) -> None:
    guests.guest_request_hold(_submission(brand, request_type), language="en")
    token = _token()
    mail.outbox.clear()

    ticket = guests.guest_request_confirm(token)

    requester = ticket.requester
    assert (requester.email, requester.name) == ("kenji@example.com", "Kenji Sato")
    assert not requester.has_usable_password()
    assert requester.emailaddress_set.get().verified
    assert (ticket.via, ticket.subject, ticket.request_type) == ("web", "Broken lid", request_type)
    assert [sent.subject for sent in mail.outbox] == [
        f"[#{ticket.pk}] We received your request: Broken lid"
    ]
    assert not GuestRequest.objects.exists()


def test_an_existing_account_gets_the_request_only_after_confirmation(
    brand: Brand, request_type: RequestType, alice: User
) -> None:
    guests.guest_request_hold(
        _submission(brand, request_type, email="ALICE@example.com"), language="en"
    )
    assert not Ticket.objects.filter(requester=alice).exists()

    ticket = guests.guest_request_confirm(_token())

    assert ticket.requester == alice
    assert ticket.organisation == alice.memberships.get().organisation
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


def test_a_link_works_once(brand: Brand, request_type: RequestType) -> None:
    guests.guest_request_hold(_submission(brand, request_type), language="en")
    token = _token()
    guests.guest_request_confirm(token)

    with pytest.raises(guests.GuestLinkError):
        guests.guest_request_confirm(token)
    assert Ticket.objects.count() == 1


def test_forged_and_expired_links_are_refused(
    brand: Brand, request_type: RequestType, settings: object
) -> None:
    guests.guest_request_hold(_submission(brand, request_type), language="en")
    token = _token()

    with pytest.raises(guests.GuestLinkError):
        guests.guest_request_confirm(token[:-2] + "xx")
    settings.GUEST_REQUEST_HOURS = 0
    with pytest.raises(guests.GuestLinkError):
        guests.guest_request_confirm(token)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("access_mode", "requires_sign_in", "allowed"),
    [
        (Brand.AccessMode.PUBLIC, False, True),
        (Brand.AccessMode.PUBLIC, True, False),
        (Brand.AccessMode.RESTRICTED, False, False),
        (Brand.AccessMode.PRIVATE, False, False),
    ],
)
def test_only_public_brands_that_allow_it_take_guest_requests(
    brand: Brand, request_type: RequestType, access_mode: str, requires_sign_in: bool, allowed: bool
) -> None:
    brand.access_mode = access_mode
    brand.content_requires_sign_in = requires_sign_in
    brand.save()

    assert brand.accepts_guest_requests is allowed
    if not allowed:
        with pytest.raises(DomainError):
            guests.guest_request_hold(_submission(brand, request_type), language="en")
        assert mail.outbox == []


def test_guest_requests_are_off_by_default(request_type: RequestType) -> None:
    assert not default_brand().accepts_guest_requests


def test_files_are_checked_held_and_attached_on_confirmation(
    brand: Brand, request_type: RequestType, settings: object
) -> None:
    add_field(request_type, "photo", FormField.Kind.FILE)
    photo = SimpleUploadedFile("lid.png", PNG)
    guests.guest_request_hold(
        _submission(brand, request_type, field_files={"photo": photo}), language="en"
    )
    held = HeldFile.objects.get()
    assert held.content_type == "image/png"

    ticket = guests.guest_request_confirm(_token())

    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.field_key, attachment.name, attachment.size) == (
        "photo",
        "lid.png",
        len(PNG),
    )
    assert attachment.file.open("rb").read() == PNG
    assert not HeldFile.objects.exists()


def test_a_refused_file_holds_nothing(brand: Brand, request_type: RequestType) -> None:
    program = SimpleUploadedFile("setup.png", b"MZ\x90\x00" + b"\0" * 64)

    with pytest.raises(AttachmentRefusedError):
        guests.guest_request_hold(
            _submission(brand, request_type, field_files={"photo": program}), language="en"
        )
    assert not GuestRequest.objects.exists()
    assert mail.outbox == []


def test_the_purge_removes_unconfirmed_holds_and_their_files(
    brand: Brand, request_type: RequestType, django_capture_on_commit_callbacks: object
) -> None:
    add_field(request_type, "photo", FormField.Kind.FILE)
    photo = SimpleUploadedFile("lid.png", PNG)
    old = guests.guest_request_hold(
        _submission(brand, request_type, field_files={"photo": photo}), language="en"
    )
    fresh = guests.guest_request_hold(_submission(brand, request_type), language="en")
    storage = old.files.get().file.storage
    name = old.files.get().file.name

    count = guests.guest_requests_purge(now=timezone.now() + timedelta(hours=47))
    assert count == 0
    GuestRequest.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() + timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        count = guests.guest_requests_purge(now=timezone.now() + timedelta(hours=49))

    assert count == 1
    assert list(GuestRequest.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not storage.exists(name)


def test_the_confirmation_mail_speaks_the_visitor_language(
    brand: Brand, request_type: RequestType
) -> None:
    guests.guest_request_hold(_submission(brand, request_type), language="ja")

    assert mail.outbox[0].subject.startswith("リクエストの確認")
