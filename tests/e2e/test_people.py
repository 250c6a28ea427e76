"""People and access in a real browser, with mail from a real SMTP server: a restricted brand's
approval, a private brand's invitation, and an organisation admin inviting a colleague."""

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts import invitations
from madoguchi.accounts.models import Organisation, User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.test_accounts import LOCALES, expect_signed_in, first_link, local, sign_out
from tests.support.smtp import RecordingHandler, plain_body

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
NEW_PASSWORD = "a long and unusual passphrase 42"
PHONE = {"width": 360, "height": 740}
TEXT = {
    "en": {
        "confirm": "Confirm",
        "waiting": "Waiting for approval",
        "approved_mail": "has been approved",
        "home": "help you",
        "menu_link": "Organisation members",
        "members_of": "Members of Acme Corporation",
        "send": "Send the invitation",
        "sent": "Invitation sent to colleague@example.com.",
        "none_waiting": "No invitations are waiting for an answer.",
    },
    "ja": {
        "confirm": "確認",
        "waiting": "承認待ち",
        "approved_mail": "承認されました",
        "home": "お問い合わせ",
        "menu_link": "組織のメンバー",
        "members_of": "Acme Corporation のメンバー",
        "send": "招待を送信",
        "sent": "colleague@example.com に招待を送信しました。",
        "none_waiting": "回答待ちの招待はありません。",
    },
}


def _set_access(mode: str) -> None:
    brand = default_brand()
    brand.access_mode = mode
    brand.save()


def _sign_up(page: Page, name: str, email: str | None = None) -> None:
    page.locator("input[name=name]").fill(name)
    if email is not None:
        page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").press("Enter")


def _sign_in_with_password(page: Page, email: str) -> None:
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("input[name=password]").press("Enter")


def _approve_in_the_admin(page: Page, person: User) -> None:
    page.goto(reverse("admin:accounts_user_changelist") + "?approval__exact=pending")
    axe_check(page)
    page.locator(f"input[name=_selected_action][value='{person.pk}']").check()
    page.locator("select[name=action]").select_option("approve_users")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("will be let into the portal")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Yes, approve").click()
    expect(page.get_by_text("1 registration approved.")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_restricted_sign_up_waits_for_approval_then_gets_in(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    erin: User,
    language: str,
) -> None:
    """The person signs up in their language; the admin approves in English."""
    text = TEXT[language]
    _set_access(Brand.AccessMode.RESTRICTED)
    page = open_page(locale=LOCALES[language])
    page.goto(reverse("account_signup"))
    _sign_up(page, "Rika Tanaka", "rika@example.com")
    [verification] = smtp_server.messages
    page.goto(local(first_link(verification), live_server))
    page.get_by_role("button", name=text["confirm"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(text["waiting"])
    axe_check(page)
    page.goto(reverse("core:home"))
    expect(page).to_have_url(re.compile(r"/accounts/approval/$"))
    sign_out(page)

    staff = open_page()
    sign_in(staff, live_server, erin)
    _approve_in_the_admin(staff, User.objects.get(email="rika@example.com"))

    approval = smtp_server.messages[-1]
    assert approval["To"] == "rika@example.com"
    assert text["approved_mail"] in plain_body(approval)
    page.goto(local(first_link(approval), live_server))
    _sign_in_with_password(page, "rika@example.com")
    expect_signed_in(page, "Rika Tanaka")
    expect(page.get_by_role("heading", level=1)).to_contain_text(text["home"])


def test_private_brand_lets_in_only_the_invited_in_japanese(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    org_a: Organisation,
) -> None:
    _set_access(Brand.AccessMode.PRIVATE)
    page = open_page(locale=LOCALES["ja"], viewport=PHONE)
    page.goto(reverse("account_signup"))
    expect(page.get_by_role("heading", level=1)).to_have_text("新規登録は受け付けていません")
    expect(page.locator("input[name=password1]")).to_have_count(0)
    axe_check(page)

    invitations.invite(email="haruto@example.jp", organisation=org_a, language="ja")
    [message] = smtp_server.messages
    assert "招待" in message["Subject"]
    page.goto(local(first_link(message), live_server))
    expect(page.locator("input[name=email]")).to_have_value("haruto@example.jp")
    axe_check(page)
    _sign_up(page, "鈴木 陽翔")

    expect_signed_in(page, "鈴木 陽翔")
    assert User.objects.get(email="haruto@example.jp").memberships.get().organisation == org_a


@pytest.mark.parametrize("language", ["en", "ja"])
def test_organisation_admin_invites_a_colleague_who_accepts(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    bob: User,
    alice: User,
    language: str,
) -> None:
    text = TEXT[language]
    admin_page = open_page(locale=LOCALES[language], viewport=PHONE)
    sign_in(admin_page, live_server, bob)
    admin_page.locator(".mdg-user-menu > summary").click()
    admin_page.get_by_role("link", name=text["menu_link"]).click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(text["members_of"])
    expect(admin_page.get_by_role("cell", name="alice@example.com", exact=True)).to_be_visible()
    axe_check(admin_page)
    assert admin_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    admin_page.locator("input[name=email]").fill("colleague@example.com")
    admin_page.get_by_role("button", name=text["send"]).click()
    expect(admin_page.get_by_text(text["sent"])).to_be_visible()
    expect(admin_page.get_by_role("cell", name="colleague@example.com", exact=True)).to_be_visible()

    [message] = smtp_server.messages
    # The invitation speaks the language the admin was using.
    assert ("招待" in message["Subject"]) == (language == "ja")
    colleague = open_page(locale=LOCALES[language])
    colleague.goto(local(first_link(message), live_server))
    _sign_up(colleague, "Chris Colleague")
    expect_signed_in(colleague, "Chris Colleague")

    admin_page.reload()
    expect(admin_page.get_by_role("cell", name="Chris Colleague", exact=True)).to_be_visible()
    expect(admin_page.get_by_text(text["none_waiting"])).to_be_visible()
