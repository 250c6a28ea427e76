"""Raw mail is kept before anything else, once per message however often it is delivered (F17)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from madoguchi.accounts.models import User
from madoguchi.tickets.inbound.services import inbound_receive
from madoguchi.tickets.inbound.storage import inbound_store
from madoguchi.tickets.models import InboundMail, Ticket
from tests.tickets.inbound.mails import raw_mail


def test_store_keeps_the_bytes_and_a_summary(db: None) -> None:
    raw = raw_mail(subject="=?utf-8?b?44GC?=", message_id="<id-1@client>")

    mail, created = inbound_store(raw, source="lmtp", envelope_to=("support@localhost",))

    assert created
    assert (mail.message_id, mail.sender, mail.subject) == (
        "id-1@client",
        "alice@example.com",
        "あ",
    )
    assert (mail.size, mail.envelope_to, mail.status) == (
        len(raw),
        ["support@localhost"],
        "received",
    )
    with mail.raw.open("rb") as kept:
        assert kept.read() == raw


def test_same_message_id_with_other_bytes_is_another_message(db: None) -> None:
    first, _ = inbound_store(raw_mail(body="one"), source="imap")
    second, created = inbound_store(raw_mail(body="two"), source="imap")

    assert created
    assert first.pk != second.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_message_have_one_effect(alice: User) -> None:
    raw = raw_mail(message_id="<race@client>")

    def deliver(_n: int) -> int:
        try:
            return inbound_receive(raw, source="lmtp", envelope_from="alice@example.com").pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(deliver, range(8)))

    assert len(ids) == 1
    assert InboundMail.objects.count() == 1
    assert Ticket.objects.count() == 1
