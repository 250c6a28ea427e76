"""R34: the export holds the person's data and files and nobody else's; it works once, in time."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from madoguchi.accounts import data_exports, notifications, profile
from madoguchi.accounts.avatars import avatar_clean
from madoguchi.accounts.models import DataExport, User
from madoguchi.core.models import AuditEvent
from tests.accounts.selfservice_helpers import picture

pytestmark = pytest.mark.django_db


def _archive(export: DataExport) -> zipfile.ZipFile:
    export.refresh_from_db()
    with export.file.open("rb") as file:
        return zipfile.ZipFile(io.BytesIO(file.read()))


def _json(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return json.loads(archive.read(f"personal-data/{name}.json"))


def test_the_export_holds_the_persons_canary_data_and_nobody_elses(
    alice: User, bob: User, carol: User
) -> None:
    profile.profile_update(alice, name="Alice Canary-7731", language="ja", time_zone="Asia/Tokyo")
    profile.avatar_replace(alice, picture=avatar_clean(picture("PNG")))
    notifications.preferences_set(bob, enabled=set())
    profile.profile_update(carol, name="Carol Canary-9902", language="ja", time_zone="")

    export = data_exports.data_export_request(alice)

    archive = _archive(export)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert _json(archive, "profile")[0]["name"] == "Alice Canary-7731"
    assert _json(archive, "profile")[0]["time_zone"] == "Asia/Tokyo"
    assert _json(archive, "memberships") == [
        {
            "organisation": "Acme Corporation",
            "role": "member",
            "since": _json(archive, "memberships")[0]["since"],
        }
    ]
    assert _json(archive, "email_addresses")[0]["email"] == "alice@example.com"
    assert "personal-data/files/avatar.png" in archive.namelist()
    assert b"Carol Canary-9902" not in everything
    assert b"carol@example.com" not in everything
    assert b"bob@example.com" not in everything


def test_an_export_is_ready_and_mailed_in_the_persons_language(alice: User, mailoutbox) -> None:
    profile.profile_update(alice, name=alice.name, language="ja", time_zone="")

    export = data_exports.data_export_request(alice)

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert len(mailoutbox) == 1
    assert "個人データ" in mailoutbox[0].subject
    assert f"/accounts/data-export/{export.pk}/" in mailoutbox[0].body


def test_an_export_downloads_once(alice: User, rf) -> None:
    export = data_exports.data_export_request(alice)
    request = rf.get("/")
    request.user = alice

    data_exports.data_export_download(export, request=request).close()

    with pytest.raises(data_exports.DataExportGoneError, match="already been downloaded"):
        data_exports.data_export_download(export, request=request)
    assert AuditEvent.objects.filter(action="account.data_export.downloaded").count() == 1
    assert AuditEvent.objects.filter(action="account.data_export.requested").count() == 1


def test_an_expired_export_cannot_be_downloaded(alice: User, rf) -> None:
    export = data_exports.data_export_request(alice)
    request = rf.get("/")
    request.user = alice

    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(data_exports.DataExportGoneError, match="expired"),
    ):
        data_exports.data_export_download(export, request=request)


def test_purging_removes_the_files_of_expired_and_downloaded_exports(alice: User, rf) -> None:
    downloaded = data_exports.data_export_request(alice)
    waiting = data_exports.data_export_request(alice)
    request = rf.get("/")
    request.user = alice
    data_exports.data_export_download(downloaded, request=request).close()
    downloaded.refresh_from_db()
    waiting.refresh_from_db()
    storage, name = downloaded.file.storage, downloaded.file.name

    assert data_exports.data_exports_purge() == 1
    assert not storage.exists(name)
    assert storage.exists(waiting.file.name)

    later = timezone.now() + timedelta(days=8)
    assert data_exports.data_exports_purge(now=later) == 1
    assert not storage.exists(waiting.file.name)
