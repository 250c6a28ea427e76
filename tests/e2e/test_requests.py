"""Asking for help in a real browser: find the form in the catalog, fill a conditional field,
submit, get the confirmation from a real SMTP server, follow its link and reply."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from madoguchi.tickets.models import FormField, Ticket
from tests.e2e.conftest import BrowserLog, axe_check, sign_in
from tests.e2e.test_accounts import LOCALES, local, mail_body
from tests.factories import add_form_field, make_request_type, make_ticket
from tests.support.smtp import RecordingHandler

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
TEXT = {
    "en": {
        "search": "return",
        "form": "Return an item",
        "reason": "Reason",
        "broken": "Broken",
        "serial": "Serial",
        "subject": "Subject",
        "description": "Description",
        "submit": "Submit the request",
        "required": "This field is required.",
        "received": "was received",
        "reply": "Your reply",
        "send": "Send the reply",
        "added": "Your reply was added.",
    },
    "ja": {
        "search": "返品",
        "form": "商品の返品",
        "reason": "理由",
        "broken": "壊れていた",
        "serial": "製造番号",
        "subject": "件名",
        "description": "詳細",
        "submit": "リクエストを送信する",
        "required": "このフィールドは必須です。",
        "received": "を受け付けました",
        "reply": "返信内容",
        "send": "返信を送信",
        "added": "返信を追加しました。",
    },
}

AGENT_TEXT = {
    "en": {
        "workspace": "Agent workspace",
        "message": "Message",
        "internal": "Internal note (only agents see it)",
        "send": "Send",
    },
    "ja": {
        "workspace": "エージェントワークスペース",
        "message": "メッセージ",
        "internal": "社内メモ（エージェントにだけ表示）",  # noqa: RUF001 - Japanese punctuation
        "send": "送信",
    },
}


def _return_form() -> None:
    request_type = make_request_type("Return an item", "商品の返品")
    reason = add_form_field(
        request_type,
        "reason",
        FormField.Kind.CHOICE,
        label_ja="理由",
        required=True,
        choices="broken | Broken | 壊れていた\nsize | Wrong size | サイズ違い",
    )
    add_form_field(
        request_type,
        "serial",
        FormField.Kind.TEXT,
        label_ja="製造番号",
        required=True,
        show_when=reason,
        show_when_value="broken",
    )
    make_request_type("Change my address", "住所の変更", category="Account")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_customer_submits_a_catalog_request_and_replies(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    alice: User,
    artifacts: Path,
    browser_log: BrowserLog,
    language: str,
) -> None:
    text = TEXT[language]
    # A form sent back with errors answers 422, which the browser reports on its console.
    browser_log.expect_console_error("422")
    alice.language = language
    alice.save()
    _return_form()
    page = open_page(locale=LOCALES[language])
    sign_in(page, live_server, alice)

    page.locator(".mdg-user-menu > summary").click()
    page.locator(f".mdg-user-menu a[href='{reverse('tickets:activity')}']").click()
    page.locator(f"main a[href='{reverse('tickets:catalog')}']").first.click()
    axe_check(page)
    page.locator("#mdg-catalog-q").fill(text["search"])
    page.locator("#mdg-catalog-q").press("Enter")
    expect(page.locator("main article.mdg-card")).to_have_count(1)
    page.get_by_role("link", name=text["form"]).click()

    serial = page.get_by_label(text["serial"])
    expect(serial).to_be_hidden()
    page.get_by_label(text["subject"]).fill("Cracked screen")
    page.get_by_label(text["reason"]).select_option("broken")
    expect(serial).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=text["submit"]).click()

    # The description was left empty: the error shows by it and what was typed stays.
    expect(page.locator(".mdg-field", has=page.get_by_label(text["description"]))).to_contain_text(
        text["required"]
    )
    expect(page.get_by_label(text["subject"])).to_have_value("Cracked screen")
    axe_check(page)
    page.get_by_label(text["description"]).fill("It fell off the desk.")
    page.get_by_label(text["serial"]).fill("SN-4242")
    page.get_by_role("button", name=text["submit"]).click()

    ticket = Ticket.objects.get()
    expect(page.locator(".mdg-messages")).to_contain_text(text["received"])
    expect(page.locator("main")).to_contain_text("SN-4242")
    expect(page.locator("main")).to_contain_text(text["broken"])
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=artifacts / f"request-{language}.png", full_page=True)

    (confirmation,) = smtp_server.messages
    assert confirmation["Subject"].startswith(f"[#{ticket.pk}]")
    link = re.search(r"https?://\S+", mail_body(confirmation)).group(0)
    page.goto(local(link, live_server))
    page.get_by_label(text["reply"]).fill("The serial is on the back.")
    page.get_by_role("button", name=text["send"]).click()

    expect(page.locator(".mdg-messages")).to_contain_text(text["added"])
    expect(page.locator(".mdg-thread > li")).to_have_count(2)
    page.goto(local(link, live_server).split("/requests/")[0] + reverse("tickets:activity"))
    expect(page.locator("main table")).to_contain_text("Cracked screen")
    axe_check(page)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_agent_answers_from_the_queue_and_the_customer_gets_the_mail(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    alice: User,
    dave: User,
    language: str,
) -> None:
    text = AGENT_TEXT[language]
    ticket = make_ticket(alice, subject="Cannot print")
    smtp_server.messages.clear()
    page = open_page(locale=LOCALES[language])
    sign_in(page, live_server, dave)

    page.locator(".mdg-user-menu > summary").click()
    page.get_by_role("link", name=text["workspace"]).click()
    axe_check(page)
    page.get_by_role("link", name="Cannot print").click()
    axe_check(page)

    page.get_by_label(text["message"]).fill("Checked the logs: the driver is old.")
    page.get_by_label(text["internal"]).check()
    page.get_by_role("button", name=text["send"], exact=True).click()
    expect(page.locator(".mdg-internal")).to_contain_text("driver is old")
    page.get_by_label(text["message"]).fill("Please update the printer driver.")
    page.get_by_role("button", name=text["send"], exact=True).click()
    expect(page.locator(".mdg-thread > li")).to_have_count(3)
    axe_check(page)

    (reply,) = smtp_server.messages
    assert reply["To"] == "alice@example.com"
    assert f"+{ticket.reply_token}@" in reply["Reply-To"]
    assert "update the printer driver" in mail_body(reply)
    assert "driver is old" not in mail_body(reply)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


TABS = {
    "en": ("Asked by me", "Copied in", "My organisation's"),
    "ja": ("自分のリクエスト", "CC されたリクエスト", "組織のリクエスト"),
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_my_activity_tabs_show_own_copied_and_organisation_requests(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    alice: User,
    bob: User,
    carol: User,
    language: str,
) -> None:
    make_ticket(bob, subject="Bob asked")
    make_ticket(alice, subject="Alice asked")
    make_ticket(carol, subject="Carol asked").followers.add(bob)
    mine, copied, organisation = TABS[language]
    page = open_page(locale=LOCALES[language])
    sign_in(page, live_server, bob)
    page.goto(reverse("tickets:activity"))
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_role("link", name=mine).focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Bob asked")
    expect(page.get_by_role("link", name=mine)).to_have_attribute("aria-current", "page")
    axe_check(page)
    page.get_by_role("link", name=copied).click()
    expect(rows).to_contain_text("Carol asked")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name=organisation).click()
    expect(rows).to_have_count(2)
    expect(page.locator("main table")).not_to_contain_text("Carol asked")
