"""The whole life of a request, across the browser and real mail (issue 4's journey).

A customer submits a catalog form with a conditional field and a photo; the agent finds it in the
queue with its SLA timer and replies; the task worker (a real `manage.py worker` process) mails
the reply to a real SMTP server; the customer answers that mail, quoting it, and the answer is
delivered over LMTP to a real `manage.py receive_mail` process; the answer shows in the thread
without the quote; the agent solves; the customer rates from the "solved" mail's link.
"""

import io
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from madoguchi.tickets.models import (
    Attachment,
    FormField,
    InboundMail,
    SatisfactionRating,
    SlaPolicy,
    Ticket,
)
from tests.e2e.conftest import axe_check, localhost_url, sign_in
from tests.e2e.test_accounts import LOCALES, local, mail_body
from tests.factories import add_form_field, make_request_type
from tests.support.processes import child_environment, free_port
from tests.support.smtp import RecordingHandler
from tests.tickets.inbound.mails import raw_mail

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

OpenPage = Callable[..., Page]
DEADLINE_SECONDS = 120
CUSTOMER_TEXT = {
    "en": {
        "form": "Return an item",
        "reason": "Reason",
        "serial": "Serial number",
        "photo": "Photo",
        "subject": "Subject",
        "description": "Description",
        "submit": "Submit the request",
        "received": "was received",
        "good": "Good, I'm satisfied",
        "comment": "Anything to add? (optional)",
        "rate": "Send the rating",
        "rated": "You rated it",
        # What the customer's mail client writes.
        "answer": "Here is the label: it says SN-4242-B.",
        "attribution": "On Mon, 23 Nov 2026 at 10:00, Madoguchi <support@localhost> wrote:",
        "signature": "-- \nAlice Example\nAcme Corporation",
        "rating_comment": "Quick and clear, thank you.",
    },
    "ja": {
        "form": "商品の返品",
        "reason": "理由",
        "serial": "製造番号",
        "photo": "写真",
        "subject": "件名",
        "description": "詳細",
        "submit": "リクエストを送信する",
        "received": "を受け付けました",
        "good": "良い（満足）",  # noqa: RUF001 - Japanese punctuation
        "comment": "ご意見があればお書きください（任意）",  # noqa: RUF001 - Japanese punctuation
        "rate": "評価を送信",
        "rated": "評価:",
        "answer": "ラベルの写真です。SN-4242-B と書いてあります。",
        "attribution": "2026/11/23 10:00、Madoguchi のメッセージ:",
        "signature": "-- \n山田 アリス\nアクメ株式会社",
        "rating_comment": "迅速で分かりやすい対応でした。",
    },
}
AGENT_REPLY = "Thanks. Please send a photo of the label on the back."


@pytest.fixture
def mail_catcher() -> Iterator[tuple[RecordingHandler, int]]:
    """A real SMTP server on loopback; the worker process is pointed at it by EMAIL_HOST/PORT."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_receiver(tmp_path: Path, settings: object) -> Iterator[int]:
    """`manage.py receive_mail` (LMTP) in a child process, writing where this process reads."""
    port = free_port()
    private = settings.STORAGES["private"]["OPTIONS"]["location"]
    log = (tmp_path / "receiver.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "receive_mail", "--port", str(port)],
        cwd=settings.BASE_DIR, env=child_environment(MADOGUCHI_PRIVATE_ROOT=private),
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=DEADLINE_SECONDS) == 0
        log.close()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("receive_mail did not start listening")


def _run_worker(smtp_port: int, tmp_path: Path, private: str) -> None:
    """Run the production task worker until the queue is empty: it sends the queued mail."""
    environment = child_environment(
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), MADOGUCHI_PRIVATE_ROOT=private
    )
    finished = subprocess.run(
        [sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay"],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, timeout=DEADLINE_SECONDS,
        check=False,
    )  # fmt: skip
    (tmp_path / "worker.log").write_bytes(finished.stdout + finished.stderr)
    assert finished.returncode == 0, finished.stderr.decode(errors="replace")


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
        label_en="Serial number",
        label_ja="製造番号",
        required=True,
        show_when=reason,
        show_when_value="broken",
    )
    add_form_field(request_type, "photo", FormField.Kind.FILE, label_ja="写真")


def _photo(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _customer_submits(page: Page, text: dict[str, str], photo: Path) -> None:
    page.goto(reverse("tickets:catalog"))
    page.get_by_role("link", name=text["form"]).click()
    serial = page.get_by_label(text["serial"])
    # The conditional field waits for its controlling answer.
    expect(serial).to_be_hidden()
    page.get_by_label(text["subject"]).fill("Cracked screen")
    page.get_by_label(text["description"]).fill("It arrived with a cracked screen.")
    page.get_by_label(text["reason"]).select_option("broken")
    expect(serial).to_be_visible()
    serial.fill("SN-4242")
    page.get_by_label(text["photo"]).set_input_files(photo)
    axe_check(page)
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.locator(".mdg-messages")).to_contain_text(text["received"])
    expect(page.locator("main")).to_contain_text("SN-4242")
    expect(page.locator("main")).to_contain_text("photo.png")
    axe_check(page)


def _agent_replies_from_the_queue(page: Page, ticket: Ticket) -> None:
    page.goto(reverse("agent:queue") + "?queue=all")
    row = page.get_by_role("row").filter(has_text="Cracked screen")
    expect(row.locator(".mdg-sla strong")).to_have_text("On track")
    expect(row.locator("time[data-mdg-countdown]")).to_contain_text("left")
    axe_check(page)
    row.get_by_role("link", name="Cracked screen").click()
    expect(page.locator("main")).to_contain_text("SN-4242")
    page.get_by_label("Message").fill(AGENT_REPLY)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Your message was added.")).to_be_visible()
    axe_check(page)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def _answer_by_mail(agent_mail: EmailMessage, text: dict[str, str], language: str) -> bytes:
    """The customer's answer as their mail client writes it: quoting, signed, threaded."""
    quoted = "\n".join(f"> {line}" for line in mail_body(agent_mail).splitlines())
    body = f"{text['answer']}\n\n{text['signature']}\n\n{text['attribution']}\n{quoted}\n"
    references = f"{agent_mail['References']} {agent_mail['Message-ID']}"
    # Japanese mail clients still send ISO-2022-JP; English ones UTF-8.
    charset = "iso-2022-jp" if language == "ja" else "utf-8"
    return raw_mail(
        sender="Alice Example <alice@example.com>",
        to=agent_mail["Reply-To"],
        subject=f"Re: {agent_mail['Subject']}",
        body=body,
        charset=charset,
        message_id=f"<answer-{language}@client.example>",
        headers={"In-Reply-To": agent_mail["Message-ID"], "References": references},
    )


def _mail_to_alice(handler: RecordingHandler, fragment: str) -> EmailMessage:
    to_alice = [m for m in handler.messages if m["To"] == "alice@example.com"]
    found = [m for m in to_alice if fragment in mail_body(m)]
    assert len(found) == 1, [m["Subject"] for m in handler.messages]
    return found[0]


def _answer_lands_without_the_quote(
    customer: Page, agent_mail: EmailMessage, lmtp_port: int, text: dict[str, str], language: str
) -> None:
    answer = _answer_by_mail(agent_mail, text, language)
    with smtplib.LMTP("127.0.0.1", lmtp_port) as client:
        assert client.sendmail("alice@example.com", [agent_mail["Reply-To"]], answer) == {}
    inbound = InboundMail.objects.get()
    assert inbound.status == InboundMail.Status.REPLY

    customer.reload()
    thread = customer.locator(".mdg-thread > li")
    expect(thread).to_have_count(3)
    expect(thread.last).to_contain_text(text["answer"])
    expect(thread.last).not_to_contain_text("photo of the label on the back")  # the quote
    expect(thread.last).not_to_contain_text(text["signature"].splitlines()[-1])
    axe_check(customer)


def _agent_solves(agent: Page, text: dict[str, str]) -> None:
    agent.reload()
    expect(agent.locator("main")).to_contain_text(text["answer"])
    side = agent.locator("aside")
    side.get_by_label("Status").select_option("solved")
    side.get_by_role("button", name="Save changes").click()
    expect(agent.get_by_text("The request was updated.")).to_be_visible()


def _customer_rates(customer: Page, link: str, text: dict[str, str]) -> None:
    customer.goto(reverse("tickets:activity"))
    expect(customer.locator("main table")).to_contain_text("Cracked screen")
    customer.goto(link)
    customer.get_by_label(text["good"]).check()
    customer.get_by_label(text["comment"]).fill(text["rating_comment"])
    axe_check(customer)
    customer.get_by_role("button", name=text["rate"]).click()
    expect(customer.locator("#rate [role=status]")).to_contain_text(text["rated"])


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_request_from_the_catalog_to_the_rating_through_the_browser_and_real_mail(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    db_task_backend: None,
    mail_catcher: tuple[RecordingHandler, int],
    mail_receiver: int,
    alice: User,
    dave: User,
    tmp_path: Path,
    settings: object,
    language: str,
) -> None:
    text = CUSTOMER_TEXT[language]
    outbox, smtp_port = mail_catcher
    private = settings.STORAGES["private"]["OPTIONS"]["location"]
    alice.language = language
    alice.save()
    _return_form()
    SlaPolicy.objects.create(name_en="Standard", first_response_minutes=240)
    customer = open_page(locale=LOCALES[language])
    sign_in(customer, live_server, alice)

    _customer_submits(customer, text, _photo(tmp_path / "photo.png"))
    ticket = Ticket.objects.get()
    assert Attachment.objects.get(ticket=ticket).field_key == "photo"
    assert outbox.messages == []  # queued, not sent in the request: SMTP may be down

    agent = open_page()
    sign_in(agent, live_server, dave)
    _agent_replies_from_the_queue(agent, ticket)

    _run_worker(smtp_port, tmp_path, private)
    confirmation, reply = outbox.messages
    assert confirmation["Subject"].startswith(f"[#{ticket.pk}]")
    assert reply["Subject"].startswith(f"[#{ticket.pk}]")
    agent_mail = _mail_to_alice(outbox, AGENT_REPLY)
    assert f"+{ticket.reply_token}@" in agent_mail["Reply-To"]

    _answer_lands_without_the_quote(customer, agent_mail, mail_receiver, text, language)
    assert InboundMail.objects.get().ticket_id == ticket.pk

    _agent_solves(agent, text)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED

    _run_worker(smtp_port, tmp_path, private)
    solved_mail = outbox.messages[-1]
    assert solved_mail["To"] == "alice@example.com"
    link = re.search(r"https?://\S+#rate", mail_body(solved_mail)).group(0)
    _customer_rates(customer, local(link, live_server), text)
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == ("good", text["rating_comment"])
    agent.goto(localhost_url(live_server) + reverse("agent:detail", args=[ticket.pk]))
    expect(agent.locator("main")).to_contain_text(text["rating_comment"])
