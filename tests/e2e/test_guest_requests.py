"""A visitor without an account submits a request, confirms it from the mail, and an agent's
reply lights the customer's notification bell."""

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from madoguchi.branding.services import default_brand
from madoguchi.tickets import services
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.services import NewReply
from tests.e2e.conftest import BrowserLog, axe_check, sign_in
from tests.e2e.test_accounts import LOCALES, local, mail_body
from tests.factories import make_request_type, make_ticket
from tests.support.smtp import RecordingHandler

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
TEXT = {
    "en": {
        "form": "Return an item",
        "name": "Your name",
        "email": "Your email address",
        "subject": "Subject",
        "description": "Description",
        "submit": "Submit the request",
        "invalid": "Enter a valid email address.",
        "sent": "Check your mail",
        "confirm": "Confirm and send my request",
        "confirmed": "was received",
        "bell": "Notifications, 1 unread",
        "reply": "New reply on",
    },
    "ja": {
        "form": "商品の返品",
        "name": "お名前",
        "email": "メールアドレス",
        "subject": "件名",
        "description": "詳細",
        "submit": "リクエストを送信する",
        "invalid": "有効なメールアドレスを入力してください。",
        "sent": "メールをご確認ください",
        "confirm": "確認してリクエストを送信する",
        "confirmed": "を受け付けました",
        "bell": "通知（未読 1 件）",  # noqa: RUF001 - Japanese punctuation
        "reply": "に新しい返信があります",
    },
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_guest_submits_and_confirms_by_the_mailed_link(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    smtp_server: RecordingHandler,
    browser_log: BrowserLog,
    language: str,
) -> None:
    text = TEXT[language]
    browser_log.expect_console_error("422")
    brand = default_brand()
    brand.guest_requests = True
    brand.save()
    make_request_type("Return an item", "商品の返品")
    page = open_page(locale=LOCALES[language])

    page.goto(reverse("tickets:catalog"))
    page.get_by_role("link", name=text["form"]).click()
    axe_check(page)
    page.get_by_label(text["name"]).fill("Kenji Sato")
    page.get_by_label(text["email"]).fill("kenji@example")
    page.get_by_label(text["subject"]).fill("Broken lid")
    page.get_by_label(text["description"]).fill("It arrived cracked.")
    page.get_by_role("button", name=text["submit"]).click()

    # The error shows by the address and nothing typed is lost.
    expect(page.locator(".mdg-field", has=page.get_by_label(text["email"]))).to_contain_text(
        text["invalid"]
    )
    expect(page.get_by_label(text["description"])).to_have_value("It arrived cracked.")
    axe_check(page)
    page.get_by_label(text["email"]).fill("kenji@example.com")
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["sent"])
    axe_check(page)
    assert not Ticket.objects.exists()

    (confirmation,) = smtp_server.messages
    assert confirmation["To"] == "kenji@example.com"
    link = re.search(r"https?://\S+/requests/guest/\S+/", mail_body(confirmation)).group(0)
    smtp_server.messages.clear()
    page.goto(local(link, live_server))
    axe_check(page)
    page.get_by_role("button", name=text["confirm"]).click()

    ticket = Ticket.objects.get()
    expect(page.get_by_role("status")).to_contain_text(ticket.number)
    expect(page.get_by_role("status")).to_contain_text(text["confirmed"])
    axe_check(page)
    assert ticket.requester.email == "kenji@example.com"
    (received,) = smtp_server.messages
    assert received["Subject"].startswith(f"[{ticket.number}]")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_bell_counts_a_reply_and_the_centre_opens_it(
    *, open_page: OpenPage, live_server: LiveServer, alice: User, dave: User, language: str
) -> None:
    text = TEXT[language]
    alice.language = language
    alice.save()
    ticket = make_ticket(alice, subject="Printer")
    services.reply_add(ticket, NewReply(author=dave, body="Try turning it off and on."))
    page = open_page(locale=LOCALES[language])
    sign_in(page, live_server, alice)

    bell = page.get_by_role("link", name=text["bell"])
    expect(bell).to_be_visible()
    bell.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(reverse("notifications:list") + "$"))
    axe_check(page)
    page.get_by_role("link", name=re.compile(text["reply"])).click()

    expect(page).to_have_url(re.compile(reverse("tickets:detail", args=[ticket.pk]) + "$"))
    expect(page.locator(".mdg-bell-count")).to_have_count(0)
