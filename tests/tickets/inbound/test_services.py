"""What received mail becomes: requests, replies, ignored mail and quarantine (R38, F17)."""

from pathlib import Path

import pytest
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from madoguchi.tickets import services as ticket_services
from madoguchi.tickets.inbound import services
from madoguchi.tickets.inbound.storage import inbound_store
from madoguchi.tickets.mail import reply_address, thread_id
from madoguchi.tickets.models import BrandMailbox, InboundMail, Ticket
from tests.factories import add_member, make_ticket, make_user
from tests.tickets.inbound.mails import (
    PNG,
    cp50220,
    file_part,
    message_head,
    multipart,
    raw_mail,
    text_part,
)

Status = InboundMail.Status


@pytest.fixture
def ticket(alice: User) -> Ticket:
    return make_ticket(alice)


def reply_to(ticket: Ticket, *, sender: str, body: str, message_id: str = "<r1@c>") -> bytes:
    return raw_mail(
        sender=sender,
        to=reply_address(ticket),
        subject=f"Re: {ticket.subject}",
        body=body,
        message_id=message_id,
        headers={"In-Reply-To": thread_id(ticket), "References": thread_id(ticket)},
    )


def test_mail_from_a_customer_creates_a_request(deliver, alice: User, smtp_server) -> None:
    mail = deliver(raw_mail(body="It stopped at page 3.\n\n-- \nAlice"))

    ticket = mail.ticket
    assert mail.status == Status.TICKET
    assert (ticket.requester, ticket.via, ticket.subject) == (
        alice,
        "email",
        "The printer is jammed",
    )
    assert ticket.messages.get().body == "It stopped at page 3."
    assert mail.created_message == ticket.messages.get()
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.com"]


def test_customer_reply_by_token_lands_in_the_thread_and_reopens(
    deliver, ticket: Ticket, dave: User
) -> None:
    ticket_services.ticket_update(
        ticket, actor=dave, changes=ticket_services.TicketChanges(status="solved")
    )
    quoted = "Still broken.\n\nOn Mon, 23 Nov 2026, Support <support@localhost> wrote:\n> Fixed?"

    mail = deliver(reply_to(ticket, sender="alice@example.com", body=quoted))

    ticket.refresh_from_db()
    assert (mail.status, mail.ticket) == (Status.REPLY, ticket)
    assert ticket.status == Ticket.Status.OPEN
    last = ticket.messages.last()
    assert (last.body, last.via, last.author.email) == (
        "Still broken.",
        "email",
        "alice@example.com",
    )


def test_reply_by_references_alone_needs_the_sender_check(deliver, ticket: Ticket) -> None:
    raw = raw_mail(
        sender="Alice <ALICE@example.com>",
        subject="Re: printer",
        body="More details.",
        headers={"References": f"<other@x> {thread_id(ticket)}"},
    )

    mail = deliver(raw)

    assert (mail.status, mail.ticket) == (Status.REPLY, ticket)


def test_spoofed_token_from_a_foreign_sender_opens_a_new_request(
    deliver, ticket: Ticket, carol: User
) -> None:
    """R38: the token and In-Reply-To of alice's request, sent by carol, never reach alice's."""
    mail = deliver(reply_to(ticket, sender="carol@example.com", body="Let me in."))

    assert mail.status == Status.TICKET
    assert mail.ticket != ticket
    assert mail.ticket.requester == carol
    assert ticket.messages.count() == 1


def test_spoofed_in_reply_to_from_an_unknown_sender_is_a_new_request(
    deliver, ticket: Ticket
) -> None:
    raw = raw_mail(
        sender="mallory@evil.example",
        body="Give me the data.",
        headers={"In-Reply-To": thread_id(ticket), "References": thread_id(ticket)},
    )

    mail = deliver(raw)

    assert mail.status == Status.TICKET
    assert mail.ticket.requester.email == "mallory@evil.example"
    assert ticket.messages.count() == 1


def test_agent_reply_by_mail_is_a_public_reply(deliver, ticket: Ticket, dave: User) -> None:
    mail = deliver(reply_to(ticket, sender="dave@example.com", body="Please restart it."))

    ticket.refresh_from_db()
    message = mail.created_message
    assert (message.author, message.is_internal, message.body) == (
        dave,
        False,
        "Please restart it.",
    )
    assert ticket.status == Ticket.Status.PENDING


def test_follower_reply_by_mail_lands(deliver, ticket: Ticket, alice: User, bob: User) -> None:
    ticket_services.follower_add(ticket, by=alice, follower=bob)

    mail = deliver(reply_to(ticket, sender="bob@example.com", body="Same here."))

    assert (mail.status, mail.created_message.author) == (Status.REPLY, bob)


def test_colleagues_copied_on_a_new_request_mail_follow_it(
    deliver, alice: User, bob: User, carol: User, smtp_server
) -> None:
    mail = deliver(
        raw_mail(
            to="support@localhost, Bob <BOB@example.com>",
            headers={"Cc": "carol@example.com, stranger@elsewhere.example, support+x@localhost"},
        )
    )

    assert mail.status == Status.TICKET
    assert list(mail.ticket.followers.all()) == [bob]
    # Carol is of another organisation: she is left out, and the mail's row says so.
    assert "carol@example.com" in mail.detail and "stranger@elsewhere.example" in mail.detail
    assert "support" not in mail.detail and "bob@" not in mail.detail
    # Bob had the mail itself; only the requester gets the confirmation.
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.com"]


def test_a_customer_reply_copying_a_colleague_makes_them_follow(
    deliver, ticket: Ticket, bob: User
) -> None:
    raw = reply_to(ticket, sender="alice@example.com", body="Bob sees this too.")
    raw = raw.replace(b"\r\nSubject:", b"\r\nCc: bob@example.com\r\nSubject:", 1)

    mail = deliver(raw)

    assert mail.status == Status.REPLY and mail.detail == ""
    assert list(ticket.followers.all()) == [bob]


def test_a_follower_cannot_copy_in_more_people(
    deliver, ticket: Ticket, alice: User, bob: User, org_a
) -> None:
    ticket_services.follower_add(ticket, by=alice, follower=bob)
    colleague = make_user("colleague@example.com")
    add_member(colleague, org_a)
    raw = reply_to(ticket, sender="bob@example.com", body="Adding a colleague.")
    raw = raw.replace(b"\r\nSubject:", b"\r\nCc: colleague@example.com\r\nSubject:", 1)

    mail = deliver(raw)

    assert mail.status == Status.REPLY
    assert list(ticket.followers.all()) == [bob]


def test_reply_to_a_closed_request_opens_a_follow_up(deliver, ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)

    mail = deliver(reply_to(ticket, sender="alice@example.com", body="Again broken."))

    assert mail.status == Status.TICKET
    assert mail.ticket != ticket


def test_unknown_sender_gets_an_account_and_a_request_on_a_public_brand(deliver) -> None:
    mail = deliver(raw_mail(sender="Zoe New <zoe@new.example>"))

    zoe = User.objects.get(email="zoe@new.example")
    assert (mail.status, mail.ticket.requester) == (Status.TICKET, zoe)
    assert zoe.name == "Zoe New"
    assert not zoe.has_usable_password()


def test_unknown_sender_is_quarantined_when_the_brand_says_so(
    deliver, erin: User, smtp_server
) -> None:
    BrandMailbox.objects.create(
        brand=default_brand(), address="help@localhost", unknown_senders="quarantine"
    )

    mail = deliver(raw_mail(sender="zoe@new.example", to="help@localhost"), to=("help@localhost",))

    assert (mail.status, mail.reason) == (Status.QUARANTINED, services.UNKNOWN_SENDER)
    assert not User.objects.filter(email="zoe@new.example").exists()
    assert [m["To"] for m in smtp_server.messages] == ["erin@example.com"]
    assert "/admin/tickets/inboundmail/" in smtp_server.messages[0].get_content()


def test_unknown_sender_of_a_private_brand_is_quarantined(deliver) -> None:
    Brand.objects.filter(pk=default_brand().pk).update(access_mode=Brand.AccessMode.PRIVATE)

    mail = deliver(raw_mail(sender="zoe@new.example"))

    assert (mail.status, mail.reason) == (Status.QUARANTINED, services.UNKNOWN_SENDER)


def test_mail_to_a_brand_address_is_a_request_of_that_brand(deliver, alice: User) -> None:
    other = Brand.objects.create(name="Globex", host="globex.example")
    BrandMailbox.objects.create(brand=other, address="Help@Globex.example")

    mail = deliver(raw_mail(to="help@globex.example"), to=("help@globex.example",))

    assert mail.ticket.brand == other


def test_a_brand_with_a_support_address_sends_from_it_and_takes_replies_there(
    deliver, alice: User, smtp_server
) -> None:
    other = Brand.objects.create(name='グローベックス "サポート",\n窓口', host="globex.example")
    BrandMailbox.objects.create(brand=other, address="help@globex.example")

    mail = deliver(raw_mail(to="help@globex.example"), to=("help@globex.example",))

    (confirmation,) = smtp_server.messages
    assert confirmation["From"].addresses[0].display_name == 'グローベックス "サポート", 窓口'
    assert confirmation["From"].addresses[0].addr_spec == "help@globex.example"
    ticket = mail.ticket
    assert confirmation["Reply-To"] == f"help+{ticket.reply_token}@globex.example"
    answer = raw_mail(
        to=confirmation["Reply-To"], body="More details.", message_id="<more@client.example>"
    )
    assert deliver(answer, to=(confirmation["Reply-To"],)).ticket == ticket


def test_a_brand_mailbox_that_does_not_send_leaves_the_portal_addresses(
    deliver, alice: User, smtp_server, settings
) -> None:
    settings.REPLY_ADDRESS = "support@localhost"
    other = Brand.objects.create(name="Globex", host="globex.example")
    BrandMailbox.objects.create(brand=other, address="help@globex.example", sends_mail=False)

    mail = deliver(raw_mail(to="help@globex.example"), to=("help@globex.example",))

    (confirmation,) = smtp_server.messages
    assert confirmation["From"] == settings.DEFAULT_FROM_EMAIL
    assert confirmation["Reply-To"] == f"support+{mail.ticket.reply_token}@localhost"


def test_released_quarantine_is_processed_trusted(deliver, erin: User) -> None:
    BrandMailbox.objects.create(
        brand=default_brand(), address="support@localhost", unknown_senders="quarantine"
    )
    mail = deliver(raw_mail(sender="zoe@new.example"))

    released = services.inbound_release(mail, by=erin)

    assert released.status == Status.TICKET
    assert released.ticket.requester.email == "zoe@new.example"


@pytest.mark.parametrize(
    "headers",
    [{"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"X-Autoreply": "yes"}],
)
def test_auto_replies_are_recorded_and_never_answered(
    deliver, ticket: Ticket, headers: dict[str, str], smtp_server
) -> None:
    raw = raw_mail(sender="alice@example.com", to=reply_address(ticket), headers=headers)

    mail = deliver(raw)

    assert mail.status == Status.IGNORED
    assert ticket.messages.count() == 1
    assert smtp_server.messages == []


def test_bounce_with_null_sender_is_ignored(deliver, ticket: Ticket) -> None:
    mail = deliver(reply_to(ticket, sender="alice@example.com", body="x"), mail_from="<>")

    assert (mail.status, mail.reason) == (Status.IGNORED, "bounce")


def test_the_same_message_twice_has_one_effect(deliver, alice: User) -> None:
    """F17: a redelivery or an IMAP re-poll of the same bytes is kept and processed once."""
    raw = raw_mail()

    first = deliver(raw)
    second = deliver(raw)

    assert first.pk == second.pk
    assert InboundMail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_a_sender_writing_too_often_is_quarantined(deliver, alice: User, settings) -> None:
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 2
    outcomes = [deliver(raw_mail(message_id=f"<n{n}@c>")).status for n in range(3)]

    assert outcomes == [Status.TICKET, Status.TICKET, Status.QUARANTINED]


def test_group_syntax_from_is_quarantined_with_its_raw_bytes(
    deliver, erin: User, smtp_server
) -> None:
    raw = raw_mail(sender="undisclosed-recipients:;")

    mail = deliver(raw)

    assert (mail.status, mail.reason) == (Status.QUARANTINED, services.NO_SENDER)
    with mail.raw.open("rb") as kept:
        assert kept.read() == raw
    assert len(smtp_server.messages) == 1


def test_admin_notice_is_sent_once_an_hour(deliver, erin: User, smtp_server) -> None:
    for n in range(3):
        deliver(raw_mail(sender="undisclosed-recipients:;", message_id=f"<g{n}@c>"))

    assert len(smtp_server.messages) == 1


def test_processing_failure_quarantines_and_keeps_the_row(db: None, settings) -> None:
    mail, _created = inbound_store(raw_mail(), source="lmtp")
    Path(settings.STORAGES["private"]["OPTIONS"]["location"], mail.raw.name).unlink()

    processed = services.inbound_process(mail.pk)

    assert (processed.status, processed.reason) == (Status.QUARANTINED, services.PROCESSING_FAILED)
    assert "FileNotFoundError" in processed.detail


def test_stored_but_unprocessed_mail_is_picked_up_later(db: None, alice: User) -> None:
    mail, _created = inbound_store(raw_mail(), source="lmtp")
    InboundMail.objects.filter(pk=mail.pk).update(received_at=mail.received_at.replace(year=2025))

    assert services.inbound_process_pending() == 1
    mail.refresh_from_db()
    assert mail.status == Status.TICKET


def test_japanese_mail_becomes_a_japanese_request(deliver, carol: User) -> None:
    raw = raw_mail(
        sender="=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <carol@example.com>",
        subject="プリンターが動きません",
        body=cp50220(
            "①番トレイで紙詰まりです。\n\n2026年11月23日(月) 10:00 サポート <s@x>:\n> 前文"
        ),
        charset="iso-2022-jp",
    )

    mail = deliver(raw)

    assert mail.ticket.subject == "プリンターが動きません"
    assert mail.ticket.messages.get().body == "①番トレイで紙詰まりです。"


def test_html_only_mail_lands_as_text(deliver, alice: User) -> None:
    raw = raw_mail(
        body="<p>Hello<br>page <b>3</b></p><script>x()</script>", content_type="text/html"
    )

    message = deliver(raw).created_message

    assert message.body == "Hello\npage 3"
    assert "<script" not in message.body_html


def test_images_of_an_html_mail_show_in_the_thread(deliver, alice: User) -> None:
    html = (
        '<p>The error:</p><p><img src="cid:one@client" alt="Error [1]"></p>'
        '<p>And after:<img src="CID:two@client"><img src="cid:gone@client" alt="lost"></p>'
    )
    related = multipart(
        [
            text_part(html, subtype="html"),
            file_part("image.png", PNG, content_type="image/png", cid="one@client"),
            file_part("image.png", PNG, content_type="image/png", cid="two@client"),
        ],
        subtype="related",
        head=message_head(),
    )

    message = deliver(related).created_message

    first, second = message.attachments.order_by("pk")
    assert (first.name, second.name) == ("image.png", "image-2.png")
    assert message.body == (
        "The error:\n\n![Error 1](image.png)\n\nAnd after:![](image-2.png)![lost](cid:gone@client)"
    )
    for image in (first, second):
        assert f'src="{reverse("tickets:attachment", args=[message.ticket_id, image.pk])}"' in (
            message.body_html
        )
    assert message.body_html.count("<img") == 2 and "lost" in message.body_html


def test_images_of_a_mail_with_a_plain_text_alternative_show_too(deliver, alice: User) -> None:
    """As Apple Mail sends them: plain text, or HTML with its images (multipart/related)."""
    related = multipart(
        [
            text_part('<p>See <img src="cid:shot@mac" alt="screen"></p>', subtype="html"),
            file_part("Screen Shot.png", PNG, content_type="image/png", cid="shot@mac"),
        ],
        subtype="related",
        boundary="b1",
    )
    mail = multipart(
        [text_part("See [image: screen]"), related], subtype="alternative", head=message_head()
    )

    message = deliver(mail).created_message

    image = message.attachments.get()
    assert message.body == "See ![screen](Screen%20Shot.png)"
    address = reverse("tickets:attachment", args=[message.ticket_id, image.pk])
    assert f'<img src="{address}" alt="screen">' in message.body_html


def test_attachments_are_kept_and_refused_ones_noted(deliver, alice: User, settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 50_000
    raw = multipart(
        [
            text_part("See the files."),
            file_part("screen.png", PNG, content_type="image/png", cid="img1"),
            file_part("tool.exe", b"MZ\x90\x00" + b"\x00" * 100),
            file_part("huge.pdf", b"%PDF-" + b"x" * 60_000, content_type="application/pdf"),
        ],
        head=message_head(),
    )

    message = deliver(raw).created_message

    assert [(a.name, a.content_type) for a in message.attachments.all()] == [
        ("screen.png", "image/png")
    ]
    assert message.body.startswith("See the files.")
    assert "tool.exe is not a file type we accept" in message.body
    assert "huge.pdf was not attached: it is larger than" in message.body


def test_a_50_mb_attachment_is_refused_but_the_message_lands(deliver, alice: User) -> None:
    """R38: the message is a request; the file over the limit is named in the thread."""
    raw = multipart(
        [text_part("Log attached."), file_part("log.zip", b"PK\x03\x04" + b"\0" * (50 * 2**20))],
        head=message_head(),
    )

    mail = deliver(raw)

    message = mail.created_message
    assert mail.status == Status.TICKET
    assert message.attachments.count() == 0
    assert "log.zip was not attached" in message.body


def test_delete_removes_the_raw_file(
    deliver, erin: User, django_capture_on_commit_callbacks
) -> None:
    mail = deliver(raw_mail(sender="undisclosed-recipients:;"))
    storage, name = mail.raw.storage, mail.raw.name

    with django_capture_on_commit_callbacks(execute=True):
        services.inbound_delete(mail, by=erin)

    assert not InboundMail.objects.exists()
    assert not storage.exists(name)


def test_an_attachment_whose_name_cannot_name_a_file_is_kept_as_file(deliver, alice: User) -> None:
    """Found by the fuzz test: a name of only symbols made the storage refuse the file."""
    raw = multipart(
        [text_part("x"), file_part("★☆", PNG, content_type="image/png")], head=message_head()
    )

    message = deliver(raw).created_message

    assert [a.name for a in message.attachments.all()] == ["file"]


def test_mail_nested_too_deeply_to_read_is_quarantined(deliver, alice: User) -> None:
    inner = text_part("too deep")
    for level in range(3000):
        inner = multipart([inner], boundary=f"level{level}")

    mail = deliver(message_head().encode() + inner)

    assert (mail.status, mail.reason) == (Status.QUARANTINED, services.UNREADABLE)


def test_smime_signed_mail_lands_without_its_signature(deliver, alice: User) -> None:
    signed = multipart(
        [
            text_part("Signed question."),
            file_part("smime.p7s", b"\x30\x82\x01", content_type="application/pkcs7-signature"),
        ],
        subtype='signed; protocol="application/pkcs7-signature"; micalg=sha-256',
        head=message_head(),
    )

    message = deliver(signed).created_message

    assert message.body == "Signed question."
    assert message.attachments.count() == 0


def test_nul_characters_never_reach_the_database(deliver, alice: User) -> None:
    """Found by the fuzz test on PostgreSQL, which refuses NUL in text columns."""
    raw = raw_mail(sender="Alice <alice@example.com\x00>", subject="Nul\x00here", body="a\x00b")

    mail = deliver(raw)

    assert (mail.status, mail.sender, mail.subject) == (
        Status.TICKET,
        "alice@example.com",
        "Nulhere",
    )
    assert mail.created_message.body == "ab"


QUOTA_PDF = b"%PDF-1.7\n" + b"x" * 991  # 1000 bytes


def test_a_mail_past_the_quota_lands_and_names_the_file_it_could_not_keep(
    deliver, alice: User, settings: object
) -> None:
    settings.ATTACHMENT_USER_QUOTA_BYTES = 1500
    raw = multipart(
        [
            text_part("Two scans attached."),
            file_part("first.pdf", QUOTA_PDF, content_type="application/pdf"),
            file_part("second.pdf", QUOTA_PDF, content_type="application/pdf"),
        ],
        head=message_head(),
    )

    message = deliver(raw).created_message

    assert [a.name for a in message.attachments.all()] == ["first.pdf"]
    assert message.body.startswith("Two scans attached.")
    assert "second.pdf was not attached: the space for files (1.5\xa0KB) is full." in message.body
