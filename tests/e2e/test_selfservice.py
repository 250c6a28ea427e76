"""My account in a real browser: Japanese profile, data export by mail, account deletion."""

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from tests.e2e.conftest import BrowserLog, axe_check, localhost_url, sign_in
from tests.factories import PASSWORD
from tests.support.smtp import RecordingHandler, mailed_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
PHONE = {"width": 390, "height": 844}


def confirm_password(page: Page) -> None:
    """Answer allauth's "confirm access" step, asked before the export and the deletion."""
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def open_my_account(page: Page) -> None:
    page.locator(".mdg-user-menu > summary").click()
    page.locator(".mdg-user-menu").get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")


def test_choosing_japanese_shows_the_portal_in_japanese(
    page: Page, live_server: LiveServer, alice: User
) -> None:
    sign_in(page, live_server, alice)
    open_my_account(page)
    axe_check(page)
    page.get_by_role("link", name="Profile", exact=True).click()
    axe_check(page)

    page.get_by_label("Language").first.select_option("ja")
    page.get_by_label("Time zone").fill("Asia/Tokyo")
    page.get_by_role("button", name="Save profile").click()

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("プロフィール")
    expect(page.get_by_text("プロフィールを保存しました。")).to_be_visible()
    axe_check(page)
    page.goto(reverse("accounts:overview"))
    expect(page.get_by_role("heading", level=1)).to_have_text("マイアカウント")


def test_a_picture_that_is_not_an_image_is_refused_on_a_phone(
    open_page: OpenPage,
    live_server: LiveServer,
    alice: User,
    tmp_path: Path,
    browser_log: BrowserLog,
) -> None:
    browser_log.expect_console_error("422")
    page = open_page(viewport=PHONE)
    sign_in(page, live_server, alice)
    page.goto(reverse("accounts:profile"))
    fake = tmp_path / "me.png"
    fake.write_bytes(b"%PDF-1.7 not a picture")

    page.locator("input[type=file]").set_input_files(str(fake))
    page.get_by_role("button", name="Upload picture").click()

    expect(page.get_by_role("alert")).to_contain_text("not a PNG, JPEG or WebP picture")
    axe_check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_a_data_export_arrives_by_mail_and_downloads_once(
    page: Page, live_server: LiveServer, smtp_server: RecordingHandler, alice: User
) -> None:
    sign_in(page, live_server, alice)
    page.goto(reverse("accounts:data_export"))
    axe_check(page)
    page.get_by_role("button", name="Prepare my data").click()
    # allauth carries the suspended request on once the password is confirmed.
    confirm_password(page)
    expect(page.get_by_text("Your export is being prepared.")).to_be_visible()
    axe_check(page)

    [message] = [m for m in smtp_server.messages if "personal data" in m["Subject"]]
    assert message["To"] == alice.email
    page.goto(localhost_url(live_server) + mailed_path(message, r"^/accounts/data-export/"))
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ZIP file").click()

    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    profile = json.loads(archive.read("personal-data/profile.json"))
    assert profile[0]["email"] == alice.email
    assert profile[0]["name"] == alice.name
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("already been downloaded")


def test_deleting_the_account_then_restoring_it_at_sign_in(
    page: Page,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    alice: User,
    browser_log: BrowserLog,
) -> None:
    browser_log.expect_console_error("422")
    sign_in(page, live_server, alice)
    page.goto(reverse("accounts:delete"))
    confirm_password(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete account")
    axe_check(page)
    field = page.get_by_label("Type your email address to confirm")
    field.fill("someone.else@example.com")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your email address")
    page.get_by_label("Type your email address to confirm").fill(alice.email)
    page.get_by_role("button", name="Delete my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is closed")
    expect(page.locator(".mdg-user-menu")).to_have_count(0)
    axe_check(page)
    assert any("deleted" in m["Subject"] for m in smtp_server.messages)

    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Your account is waiting for deletion")
    axe_check(page)
    page.get_by_role("button", name="Cancel the deletion").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.locator(".mdg-user-menu > summary")).to_have_text(alice.name)
