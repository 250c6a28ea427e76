"""Upload quotas (R10): a customer, and an organisation's customers together, keep so many bytes
of files; past that a clear refusal, and nothing is kept."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.tickets import quotas, services
from madoguchi.tickets.models import Attachment, FormField, RequestType, Ticket
from madoguchi.tickets.services import NewReply
from tests.factories import add_form_field, make_ticket

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n" + b"x" * 991  # 1000 bytes


def _pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def _stored(settings: object) -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_reply_past_the_customer_quota_is_refused_next_to_the_files(
    client: Client, alice: User, settings: object
) -> None:
    settings.ATTACHMENT_USER_QUOTA_BYTES = 2500
    ticket = make_ticket(alice)
    client.force_login(alice)
    url = reverse("tickets:detail", args=[ticket.pk])
    client.post(url, {"body": "Two scans", "files": [_pdf("a.pdf"), _pdf("b.pdf")]})
    assert Attachment.objects.count() == 2
    stored_before = _stored(settings)

    response = client.post(url, {"body": "One more", "files": [_pdf("c.pdf")]})

    assert response.status_code == 422
    page = response.content.decode()
    assert "There is no room for these files: you keep 2.0\xa0KB" in page
    assert "may keep 2.4\xa0KB" in page
    assert "One more" in page  # what was typed stays
    assert not ticket.messages.filter(body="One more").exists()
    assert Attachment.objects.count() == 2
    assert _stored(settings) == stored_before


def test_the_organisation_quota_counts_every_customer_of_it(
    *,
    client: Client,
    alice: User,
    bob: User,
    carol: User,
    request_type: RequestType,
    settings: object,
) -> None:
    settings.ATTACHMENT_ORGANISATION_QUOTA_BYTES = 1500
    add_form_field(request_type, "scan", FormField.Kind.FILE, label_ja="スキャン")
    services.reply_add(make_ticket(bob), NewReply(author=bob, body="x", files=[_pdf()]))
    client.force_login(alice)
    form = {"subject": "Invoice", "description": "Attached", "scan": _pdf()}

    response = client.post(reverse("tickets:submit", args=[request_type.pk]), form)

    assert response.status_code == 422
    assert "Acme Corporation keeps 1000\xa0bytes of files here" in response.content.decode()
    assert Ticket.objects.filter(subject="Invoice").count() == 0
    # Another organisation's customers have their own room.
    services.reply_add(make_ticket(carol), NewReply(author=carol, body="y", files=[_pdf()]))
    assert Attachment.objects.filter(uploaded_by=carol).count() == 1


def test_agents_files_count_against_nobody_and_zero_turns_quotas_off(
    alice: User, dave: User, settings: object
) -> None:
    settings.ATTACHMENT_USER_QUOTA_BYTES = 500
    settings.ATTACHMENT_ORGANISATION_QUOTA_BYTES = 500
    ticket = make_ticket(alice)
    services.reply_add(ticket, NewReply(author=dave, body="log", files=[_pdf()]))
    with pytest.raises(quotas.QuotaExceededError):
        services.reply_add(ticket, NewReply(author=alice, body="scan", files=[_pdf()]))

    settings.ATTACHMENT_USER_QUOTA_BYTES = 0
    settings.ATTACHMENT_ORGANISATION_QUOTA_BYTES = 0
    services.reply_add(ticket, NewReply(author=alice, body="scan", files=[_pdf()]))

    assert Attachment.objects.filter(uploaded_by=alice).count() == 1
    assert quotas.tightest_room(dave) is None
