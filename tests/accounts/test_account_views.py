"""The "My account" pages through the test client, in English and Japanese."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts import data_exports, notifications, profile
from madoguchi.accounts.models import DataExport, User
from madoguchi.core.models import AuditEvent
from tests.accounts.selfservice_helpers import noise, picture, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_the_pages_need_a_signed_in_person(client: Client) -> None:
    for name in ("overview", "profile", "notifications", "data_export", "delete"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("language", "heading", "security"),
    [("en", "My account", "Two-factor authentication"), ("ja", "マイアカウント", "セキュリティ")],
)
def test_the_overview_links_every_part_of_the_account(
    client: Client, alice: User, language: str, heading: str, security: str
) -> None:
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = _text(client.get(reverse("accounts:overview")))

    assert heading in page and security in page
    for url in ("/accounts/profile/", "/accounts/notifications/", "/accounts/2fa/"):
        assert f'href="{url}"' in page
    assert 'href="/accounts/sessions/"' in page
    assert 'href="/accounts/data-export/"' in page and 'href="/accounts/delete/"' in page


def test_the_user_menu_leads_to_the_account(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert 'href="/accounts/"' in _text(client.get(reverse("core:home")))


def test_saving_japanese_switches_the_portal_to_japanese(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(
        reverse("accounts:profile"),
        {"name": "Alice Renamed", "language": "ja", "time_zone": "Asia/Tokyo"},
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    alice.refresh_from_db()
    assert (alice.name, alice.language, alice.time_zone) == ("Alice Renamed", "ja", "Asia/Tokyo")
    assert "プロフィールを保存しました。" in _text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "is not a known time zone"), ("ja", "有効なタイムゾーンではありません")],
)
def test_an_unknown_time_zone_is_refused_clearly(
    client: Client, alice: User, language: str, message: str
) -> None:
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(
        reverse("accounts:profile"), {"name": "A", "language": language, "time_zone": "Mars/Base"}
    )

    assert response.status_code == 422
    assert message in _text(response)
    alice.refresh_from_db()
    assert alice.time_zone == ""


def test_the_saved_language_follows_the_person_to_a_new_device(client: Client, carol: User) -> None:
    """carol chose Japanese; signing in on a fresh browser sets it there too."""
    response = client.post(reverse("account_login"), {"login": carol.email, "password": PASSWORD})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"


def test_a_picture_is_shown_to_its_owner_and_colleagues_only(
    client: Client, alice: User, bob: User, carol: User
) -> None:
    client.force_login(alice)
    response = client.post(reverse("accounts:avatar_upload"), {"picture": picture("JPEG")})
    assert response.status_code == 302
    url = reverse("accounts:avatar", kwargs={"pk": alice.pk})

    own = client.get(url)
    assert own.status_code == 200
    assert b"".join(own.streaming_content)[:3] == b"\xff\xd8\xff"
    client.force_login(bob)
    assert client.get(url).status_code == 200
    client.force_login(carol)
    assert client.get(url).status_code == 404


def test_replacing_and_removing_a_picture_deletes_the_old_file(
    client: Client, alice: User, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:avatar_upload"), {"picture": picture("PNG")})
    alice.refresh_from_db()
    first = alice.avatar.name
    storage = alice.avatar.storage

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:avatar_upload"), {"picture": picture("WEBP")})
    alice.refresh_from_db()
    assert not storage.exists(first) and storage.exists(alice.avatar.name)

    second = alice.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:avatar_remove"))
    alice.refresh_from_db()
    assert not alice.avatar and not storage.exists(second)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "not a PNG, JPEG or WebP picture"), ("ja", "PNG、JPEG、WebP 形式の画像ではありません")],
)
def test_a_file_that_is_not_a_picture_is_refused_clearly(
    client: Client, alice: User, language: str, message: str
) -> None:
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    fake = SimpleUploadedFile("me.png", b"%PDF-1.7 not a picture", content_type="image/png")

    response = client.post(reverse("accounts:avatar_upload"), {"picture": fake})

    assert response.status_code == 422
    assert message in _text(response)
    alice.refresh_from_db()
    assert not alice.avatar


@pytest.mark.parametrize(("language", "message"), [("en", "larger than 1.0"), ("ja", "画像が 1.0")])
def test_a_picture_over_the_limit_is_refused_clearly(
    client: Client, alice: User, settings, language: str, message: str
) -> None:
    settings.AVATAR_MAX_BYTES = 1024
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(reverse("accounts:avatar_upload"), {"picture": noise((40, 40))})

    assert response.status_code == 422
    assert message in _text(response)


def test_a_huge_upload_is_refused_before_it_is_read(client: Client, alice: User, settings) -> None:
    settings.AVATAR_MAX_BYTES = 1024
    client.force_login(alice)
    huge = SimpleUploadedFile("me.png", b"\0" * 200_000, content_type="image/png")

    response = client.post(reverse("accounts:avatar_upload"), {"picture": huge})

    assert response.status_code == 413
    assert "The picture is larger than 1.0" in _text(response)


def test_the_notification_grid_has_a_label_per_checkbox_and_saves(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    page = _text(client.get(reverse("accounts:notifications")))
    assert page.count('type="checkbox"') == len(notifications.event_types(alice)) * 2
    assert '<label for="id_request_reply__email"' in page
    assert '<th scope="row">A reply to one of my requests</th>' in page

    response = client.post(reverse("accounts:notifications"), {"mention__web": "on"})

    assert response.status_code == 302
    assert notifications.wants(alice, "mention", "web")
    assert not notifications.wants(alice, "mention", "email")


def test_asking_for_an_export_needs_a_fresh_password(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(reverse("accounts:data_export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not DataExport.objects.exists()


def test_exports_are_rate_limited_with_retry_after(client: Client, alice: User) -> None:
    sign_in(client, alice)
    for _ in range(3):
        assert client.post(reverse("accounts:data_export")).status_code == 302

    response = client.post(reverse("accounts:data_export"))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert DataExport.objects.filter(user=alice).count() == 3


def test_an_export_downloads_once_for_its_owner_only(
    client: Client, alice: User, carol: User, mailoutbox
) -> None:
    sign_in(client, alice)
    client.post(reverse("accounts:data_export"))
    export = DataExport.objects.get(user=alice)
    detail = reverse("accounts:data_export_detail", kwargs={"pk": export.pk})
    download = reverse("accounts:data_export_download", kwargs={"pk": export.pk})
    assert detail in mailoutbox[-1].body

    other = Client()
    other.force_login(carol)
    assert other.get(detail).status_code == 404
    assert other.get(download).status_code == 404

    assert client.get(detail).status_code == 200
    first = client.get(download)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(first.streaming_content)))
    assert "personal-data/profile.json" in archive.namelist()

    second = client.get(download)
    assert second.status_code == 410
    assert "already been downloaded" in _text(second)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert "すでにダウンロードされています" in _text(client.get(download))
    assert AuditEvent.objects.filter(action="account.data_export.downloaded").count() == 1


@pytest.mark.parametrize(
    ("language", "expired"), [("en", "has expired"), ("ja", "有効期限が切れています")]
)
def test_an_expired_export_says_so(
    client: Client, alice: User, language: str, expired: str
) -> None:
    sign_in(client, alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(reverse("accounts:data_export"))
    export = DataExport.objects.get(user=alice)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(alice)
        detail = client.get(reverse("accounts:data_export_detail", kwargs={"pk": export.pk}))
        download = client.get(reverse("accounts:data_export_download", kwargs={"pk": export.pk}))

    assert expired in _text(detail)
    assert download.status_code == 410
    assert expired in _text(download)


@pytest.mark.parametrize(
    ("language", "mismatch"),
    [("en", "That is not your email address"), ("ja", "メールアドレスが一致しません")],
)
def test_deleting_needs_the_typed_address(
    client: Client, alice: User, language: str, mismatch: str
) -> None:
    sign_in(client, alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(reverse("accounts:delete"), {"email": "someone@example.com"})

    assert response.status_code == 422
    assert mismatch in _text(response)
    alice.refresh_from_db()
    assert alice.is_active


def test_deleting_needs_a_fresh_password(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get(reverse("accounts:delete"))

    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_a_deleted_account_can_be_restored_by_signing_in(client: Client, alice: User) -> None:
    sign_in(client, alice)
    response = client.post(reverse("accounts:delete"), {"email": "ALICE@example.com"}, follow=True)
    assert "Your account is closed" in _text(response)
    alice.refresh_from_db()
    assert not alice.is_active
    assert client.get(reverse("accounts:overview")).status_code == 302

    signed_in = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert signed_in["Location"] == reverse("accounts:deletion_pending")
    banner = _text(client.get(signed_in["Location"]))
    assert "Your account is waiting for deletion" in banner
    assert "Cancel the deletion" in banner

    restored = client.post(reverse("accounts:deletion_pending"))

    assert restored.status_code == 302
    alice.refresh_from_db()
    assert alice.is_active and alice.deletion_due_at is None
    assert client.get(reverse("accounts:overview")).status_code == 200


def test_the_restore_page_is_nobodys_without_a_fresh_sign_in(client: Client, alice: User) -> None:
    assert client.get(reverse("accounts:deletion_pending")).status_code == 404
    assert client.post(reverse("accounts:deletion_pending")).status_code == 404


def test_times_are_shown_in_the_time_zone_of_the_profile(client: Client, alice: User) -> None:
    profile.profile_update(alice, name=alice.name, language="en", time_zone="Asia/Tokyo")
    with time_machine.travel(datetime(2026, 1, 1, 0, 30, tzinfo=UTC), tick=False):
        data_exports.data_export_request(alice)
    client.force_login(alice)

    page = _text(client.get(reverse("accounts:data_export")))

    assert "01/01/2026 9:30 a.m." in page
