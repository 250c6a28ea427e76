import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from madoguchi.accounts import notifications
from madoguchi.accounts.models import User
from madoguchi.tickets import services
from madoguchi.tickets.models import Attachment, FormField, RequestType, Ticket
from madoguchi.tickets.services import NewReply
from tests.factories import add_form_field, make_ticket

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def _stored_files(settings: object) -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_customer_attaches_files_to_a_reply_and_downloads_them(
    client: Client, alice: User
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)
    files = [SimpleUploadedFile("screen.png", PNG), SimpleUploadedFile("../請求書.pdf", PDF)]

    page = client.post(
        reverse("tickets:detail", args=[ticket.pk]), {"body": "Files", "files": files}, follow=True
    )

    image, pdf = Attachment.objects.order_by("pk")
    assert (image.name, image.content_type, image.size) == ("screen.png", "image/png", len(PNG))
    assert pdf.name == "請求書.pdf"
    assert reverse("tickets:attachment", args=[pdf.pk]) in page.content.decode()
    shown = client.get(reverse("tickets:attachment", args=[image.pk]))
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert "sandbox" in shown["Content-Security-Policy"]
    assert b"".join(shown.streaming_content) == PNG
    downloaded = client.get(reverse("tickets:attachment", args=[pdf.pk]))
    assert downloaded["Content-Disposition"].startswith("attachment")


def test_a_refused_file_is_named_next_to_the_field_and_nothing_is_kept(
    client: Client, alice: User, settings: object
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)
    files = [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile("setup.png", b"MZ\x90\x00")]

    response = client.post(
        reverse("tickets:detail", args=[ticket.pk]),
        {"body": "Files", "files": files},
        headers={"accept-language": "ja"},
    )

    assert response.status_code == 422
    assert "setup.png" in response.content.decode()
    assert ticket.messages.count() == 1
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_an_oversized_file_is_refused_with_the_limit(
    client: Client, alice: User, settings: object
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 32
    ticket = make_ticket(alice)
    client.force_login(alice)

    response = client.post(
        reverse("tickets:detail", args=[ticket.pk]),
        {"body": "Big", "files": [SimpleUploadedFile("big.png", PNG)]},
    )

    assert response.status_code == 422
    assert "The file is larger than 32\xa0bytes." in response.content.decode()


def test_a_file_on_an_internal_note_is_for_agents_only(
    client: Client, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    note = NewReply(
        author=dave, body="Log", internal=True, files=[SimpleUploadedFile("log.txt", b"trace")]
    )
    attachment = services.reply_add(ticket, note).attachments.get()
    url = reverse("tickets:attachment", args=[attachment.pk])

    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(dave)
    assert client.get(url).status_code == 200


def test_a_form_file_field_is_kept_and_shown_in_the_details(
    client: Client, alice: User, request_type: RequestType
) -> None:
    add_form_field(request_type, "photo", FormField.Kind.FILE, label_ja="写真")
    client.force_login(alice)

    page = client.post(
        reverse("tickets:submit", args=[request_type.pk]),
        {
            "subject": "Broken",
            "description": "See photo",
            "photo": SimpleUploadedFile("p.png", PNG),
        },
        follow=True,
    )

    attachment = Attachment.objects.get()
    assert (attachment.field_key, attachment.message) == ("photo", None)
    assert Ticket.objects.get().answers == {}
    assert reverse("tickets:attachment", args=[attachment.pk]) in page.content.decode()


def test_files_are_removed_when_the_rest_fails(
    alice: User, dave: User, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = make_ticket(alice)

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(notifications, "enqueue_mail", refuse)
    # An agent's reply is mailed, and the mail queue fails after the file was written.
    reply = NewReply(author=dave, body="x", files=[SimpleUploadedFile("a.png", PNG)])
    with pytest.raises(RuntimeError):
        services.reply_add(ticket, reply)

    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


@pytest.fixture
def full_disk(tmp_path: Path, settings: object) -> Path:
    """A 1 MiB tmpfs as private storage and upload folder: the disk fills mid-upload (F10)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(mount), "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(mount)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_answers_507_and_keeps_nothing(
    client: Client, alice: User, full_disk: Path
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + os.urandom(1536 * 1024))

    response = client.post(
        reverse("tickets:detail", args=[ticket.pk]), {"body": "Scan", "files": [big]}
    )

    assert response.status_code == 507
    assert "no room for files" in response.content.decode()
    assert ticket.messages.count() == 1
    assert not Attachment.objects.exists()
    assert [path for path in full_disk.rglob("*") if path.is_file()] == []
