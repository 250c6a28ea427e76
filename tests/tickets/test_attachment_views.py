import os
import signal
import subprocess
import sys
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts import notifications
from madoguchi.accounts.models import User
from madoguchi.core.models import AuditEvent
from madoguchi.tickets import services
from madoguchi.tickets.models import Attachment, FormField, RequestType, Ticket
from madoguchi.tickets.services import NewReply
from tests.factories import add_form_field, image_bytes, make_ticket
from tests.support.processes import child_environment

pytestmark = pytest.mark.django_db
PNG = image_bytes("PNG")
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
    assert reverse("tickets:attachment", args=[pdf.ticket_id, pdf.pk]) in page.content.decode()
    shown = client.get(reverse("tickets:attachment", args=[image.ticket_id, image.pk]))
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert "sandbox" in shown["Content-Security-Policy"]
    assert b"".join(shown.streaming_content) == PNG
    downloaded = client.get(reverse("tickets:attachment", args=[pdf.ticket_id, pdf.pk]))
    assert downloaded["Content-Disposition"].startswith("attachment")


def test_every_download_is_written_to_the_audit_log(
    client: Client, alice: User, carol: User
) -> None:
    """R8: one audit row per download, naming who, which file and the organisation; a refused
    download writes none."""
    ticket = make_ticket(alice)
    services.reply_add(
        ticket,
        NewReply(author=alice, body="Invoice", files=[SimpleUploadedFile("請求書.pdf", PDF)]),
    )
    pdf = Attachment.objects.get()
    address = reverse("tickets:attachment", args=[pdf.ticket_id, pdf.pk])
    client.force_login(carol)
    assert client.get(address).status_code == 404
    client.force_login(alice)

    client.get(address)
    client.get(address)

    rows = AuditEvent.objects.filter(action="ticket.attachment.downloaded")
    assert rows.count() == 2
    row = rows.first()
    assert (row.actor_id, row.target_id, row.organisation_id) == (
        alice.pk,
        str(pdf.pk),
        ticket.organisation_id,
    )
    assert row.data == {"ticket": ticket.pk, "name": "請求書.pdf"}


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
    url = reverse("tickets:attachment", args=[attachment.ticket_id, attachment.pk])

    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(dave)
    assert client.get(url).status_code == 200


def test_a_file_is_found_only_under_its_own_request(
    client: Client, alice: User, carol: User
) -> None:
    """R3: a file of another request is 404 even when the viewer may see that request too."""
    mine, colleagues = make_ticket(alice), make_ticket(alice)
    theirs = make_ticket(carol)
    attach = SimpleUploadedFile("a.txt", b"one")
    file_ = services.reply_add(colleagues, NewReply(author=alice, body="x", files=[attach]))
    foreign = services.reply_add(
        theirs, NewReply(author=carol, body="y", files=[SimpleUploadedFile("b.txt", b"two")])
    )
    client.force_login(alice)

    for ticket_pk, attachment in (
        (mine.pk, file_.attachments.get()),
        (mine.pk, foreign.attachments.get()),
    ):
        response = client.get(reverse("tickets:attachment", args=[ticket_pk, attachment.pk]))
        assert response.status_code == 404
        assert client.delete(
            reverse("tickets:attachment", args=[ticket_pk, attachment.pk])
        ).status_code in {404, 405}
        assert Attachment.objects.filter(pk=attachment.pk).exists()
    own = file_.attachments.get()
    assert (
        client.get(reverse("tickets:attachment", args=[colleagues.pk, own.pk])).status_code == 200
    )


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
    assert (
        reverse("tickets:attachment", args=[attachment.ticket_id, attachment.pk])
        in page.content.decode()
    )


def test_files_are_removed_when_the_rest_fails(
    alice: User, dave: User, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = make_ticket(alice)

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(notifications, "enqueue_later", refuse)
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


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_process_killed_mid_upload_leaves_no_rows_and_the_sweeper_clears_its_file(
    alice: User, settings: object, tmp_path: Path
) -> None:
    """F3: kill -9 while the file is being written; then the sweeper's next run."""
    marker = tmp_path / "stalled"
    env = child_environment(
        MADOGUCHI_PRIVATE_ROOT=settings.STORAGES["private"]["OPTIONS"]["location"]
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.stalled_upload", alice.email, str(marker)], env=env
    )
    try:
        for _attempt in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the child never reached the middle of the upload"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)

    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    left = _stored_files(settings)
    assert left and all(path.parent.name == "incoming" for path in left)
    assert services.attachments_sweep_incoming() == 0  # Too fresh: it may still be written.
    later = timezone.now() + timedelta(hours=3)
    assert services.attachments_sweep_incoming(later) == len(left)
    assert _stored_files(settings) == []


def test_a_committed_file_moves_into_place_and_an_interrupted_move_is_finished(
    alice: User, settings: object, django_capture_on_commit_callbacks
) -> None:
    upload = SimpleUploadedFile("report.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice)
        services.reply_add(ticket, NewReply(author=alice, body="File", files=[upload]))
    moved = Attachment.objects.get()
    assert moved.file.name.startswith("attachments/")
    assert "report" not in moved.file.name  # R13: the key is random, the name only shown.
    assert moved.file.read() == PDF

    with django_capture_on_commit_callbacks(execute=False):  # The process dies after commit.
        services.reply_add(ticket, NewReply(author=alice, body="File 2", files=[upload]))
    stranded = Attachment.objects.latest("pk")
    assert stranded.file.name.startswith("incoming/")
    services.attachments_sweep_incoming(timezone.now() + timedelta(hours=3))
    stranded.refresh_from_db()
    assert stranded.file.name.startswith("attachments/")
    assert stranded.file.read() == PDF


def test_a_disk_that_fills_mid_write_answers_507_and_leaves_no_partial_file(
    client: Client, alice: User, request_type: RequestType, settings: object, tmp_path: Path
) -> None:
    """F10 without root: the storage writes part of the file, then the disk is full."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "tests.support.storage.DiskFillsStorage",
            "OPTIONS": {"location": str(tmp_path / "filling"), "base_url": None},
        },
    }
    add_form_field(request_type, "scan", FormField.Kind.FILE, label_ja="スキャン")
    ticket = make_ticket(alice)
    client.force_login(alice)
    scan = b"%PDF-1.7\n" + os.urandom(8192)

    submitted = client.post(
        reverse("tickets:submit", args=[request_type.pk]),
        {"subject": "Scan", "description": "x", "scan": SimpleUploadedFile("s.pdf", scan)},
        headers={"accept-language": "ja"},
    )
    replied = client.post(
        reverse("tickets:detail", args=[ticket.pk]),
        {"body": "Scan", "files": [SimpleUploadedFile("s.pdf", scan)]},
    )

    assert (submitted.status_code, replied.status_code) == (507, 507)
    assert "ファイルを保存する空き容量" in submitted.content.decode()
    assert "no room for files" in replied.content.decode()
    assert list(Ticket.objects.values_list("pk", flat=True)) == [ticket.pk]
    assert ticket.messages.count() == 1
    assert not Attachment.objects.exists()
    assert [path for path in (tmp_path / "filling").rglob("*") if path.is_file()] == []


def test_a_pixel_flood_is_refused_next_to_the_field(client: Client, alice: User) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)
    flood = image_bytes("PNG", (1, 1))
    # The same PNG, its header rewritten to claim 60000 x 60000 pixels (CRC fixed).
    header = b"IHDR" + (60000).to_bytes(4, "big") * 2 + flood[24:29]
    flood = flood[:12] + header + zlib.crc32(header).to_bytes(4, "big") + flood[33:]

    response = client.post(
        reverse("tickets:detail", args=[ticket.pk]),
        {"body": "Photo", "files": [SimpleUploadedFile("flood.png", flood)]},
    )

    assert response.status_code == 422
    assert "flood.png has too many pixels" in response.content.decode()
    assert not Attachment.objects.exists()
