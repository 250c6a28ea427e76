"""Bulk import in a real browser: an admin uploads a Shift_JIS file as Excel in Japan saves it,
reads the preview, confirms, and the invitations reach a real SMTP server."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import Invitation, User
from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.test_accounts import LOCALES, local, mail_body
from tests.support.csvfiles import HEADER_JA, users_csv
from tests.support.smtp import RecordingHandler

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
ROWS = [
    ("山田 太郎", "taro@example.jp", "acme", "管理者", "日本語"),
    ("佐藤 花子", "hanako@example.jp", "グローベックス株式会社", "メンバー", ""),
    ("壊れた 行", "not-an-address", "acme", "メンバー", ""),
]
TEXT = {
    "en": {"error": "The email address is not valid.", "finished": "Finished"},
    "ja": {"error": "メールアドレスが正しくありません。", "finished": "完了"},
}


@pytest.mark.usefixtures("org_a", "org_b")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_admin_imports_a_shift_jis_file_and_invitations_arrive(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    erin: User,
    artifacts: Path,
    language: str,
) -> None:
    page = open_page(locale=LOCALES[language])
    sign_in(page, live_server, erin)
    page.goto(reverse("admin:accounts_user_changelist"))
    page.locator(f"a[href='{reverse('admin:accounts_user_import')}']").click()
    axe_check(page)

    page.locator("input[name=file]").set_input_files(
        files=[
            {
                "name": "社員.csv",
                "mimeType": "text/csv",
                "buffer": users_csv(ROWS, encoding="cp932", header=HEADER_JA),
            }
        ]
    )
    page.locator("input[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/admin/accounts/user/import/[0-9a-f-]+/$"))
    table = page.locator("#result_list")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").nth(0)).to_contain_text("山田 太郎")
    expect(table.locator("tr.mdg-import-error")).to_have_count(1)
    expect(table.locator("tr.mdg-import-error")).to_contain_text(TEXT[language]["error"])
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=artifacts / f"user-import-preview-{language}.png", full_page=True)
    assert not Invitation.objects.exists()

    page.locator("form[action$='/confirm/'] input[type=submit]").click()

    expect(page.locator("#import-progress")).to_contain_text(TEXT[language]["finished"])
    axe_check(page)
    invited = {message["To"]: message for message in smtp_server.messages}
    assert set(invited) == {"taro@example.jp", "hanako@example.jp", "erin@example.com"}
    assert "招待" in invited["taro@example.jp"]["Subject"]

    link = re.search(r"https?://\S+", mail_body(invited["hanako@example.jp"])).group(0)
    invitee = open_page(locale=LOCALES[language])
    invitee.goto(local(link, live_server))
    expect(invitee.locator("input[name=email]")).to_have_value("hanako@example.jp")
    expect(invitee.locator("input[name=name]")).to_have_value("佐藤 花子")
