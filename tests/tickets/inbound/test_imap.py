"""IMAP polling against a real dovecot on loopback: fetch, process, mark; a re-poll changes
nothing."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from madoguchi.accounts.models import User
from madoguchi.core import periodic
from madoguchi.tickets.inbound.imap import ImapAccount, imap_poll, register_polling
from madoguchi.tickets.inbound.services import inbound_release
from madoguchi.tickets.mail import reply_address
from madoguchi.tickets.models import InboundMail, Ticket
from madoguchi.tickets.tasks import imap_poll_task
from tests.factories import make_ticket
from tests.support.dovecot import ImapServer
from tests.tickets.inbound.mails import raw_mail

pytestmark = pytest.mark.integration


def account(server: ImapServer, **changes: object) -> ImapAccount:
    return ImapAccount(
        host=server.host,
        port=server.port,
        security="plain",
        user=server.user,
        password=server.password,
        **changes,
    )


def test_poll_turns_unread_mail_into_a_request_and_a_reply(
    imap_server: ImapServer, alice: User
) -> None:
    ticket = make_ticket(alice)
    imap_server.append(raw_mail(subject="New question", message_id="<new@c>"))
    imap_server.append(
        raw_mail(to=reply_address(ticket), body="Thanks!\n> quoted", message_id="<re@c>")
    )

    fetched = imap_poll(account(imap_server))

    assert fetched == 2
    assert Ticket.objects.filter(subject="New question", via="email").exists()
    assert ticket.messages.last().body == "Thanks!"
    assert set(InboundMail.objects.values_list("source", "status")) == {
        ("imap", "ticket"),
        ("imap", "reply"),
    }
    assert imap_server.uids("UNSEEN") == []


def test_a_re_poll_of_the_same_message_changes_nothing(
    imap_server: ImapServer, alice: User
) -> None:
    imap_server.append(raw_mail())
    imap_poll(account(imap_server))
    # As after a crash between storing and marking: the message is unread again.
    client = imap_server.client()
    client.select("INBOX")
    client.uid("STORE", imap_server.uids("ALL")[0], "-FLAGS", "(\\Seen)")
    client.logout()

    assert imap_poll(account(imap_server)) == 1

    assert InboundMail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_processed_mail_moves_to_the_done_folder(imap_server: ImapServer, alice: User) -> None:
    client = imap_server.client()
    client.create("Done")
    client.logout()
    imap_server.append(raw_mail())

    imap_poll(account(imap_server, done_folder="Done"))

    assert imap_server.uids("ALL") == []
    assert len(imap_server.uids("ALL", folder="Done")) == 1


def test_poll_imap_command_uses_the_settings(
    imap_server: ImapServer, alice: User, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.IMAP_HOST = imap_server.host
    settings.IMAP_PORT = imap_server.port
    settings.IMAP_SECURITY = "plain"
    settings.IMAP_USER = imap_server.user
    settings.IMAP_PASSWORD = imap_server.password
    imap_server.append(raw_mail())

    call_command("poll_imap")

    assert "Fetched 1 message(s)." in capsys.readouterr().out
    assert Ticket.objects.get().requester == alice


def test_plain_imap_is_refused_for_a_remote_host() -> None:
    remote = ImapAccount(
        host="imap.example.com", port=143, security="plain", user="u", password="p"
    )

    with pytest.raises(ImproperlyConfigured):
        imap_poll(remote)


def test_polling_is_a_periodic_job_when_imap_is_configured(settings: object) -> None:
    register_polling(imap_poll_task)
    assert "tickets.imap_poll" not in {job.name for job in periodic.jobs()}

    settings.IMAP_HOST = "127.0.0.1"
    try:
        register_polling(imap_poll_task)
        assert "tickets.imap_poll" in {job.name for job in periodic.jobs()}
    finally:
        periodic._jobs.pop("tickets.imap_poll", None)


def test_a_message_over_the_cap_is_quarantined_with_its_header_only(
    imap_server: ImapServer, alice: User, erin: User
) -> None:
    """The receiver's limit holds for IMAP too: the big message is never downloaded."""
    limit = 20_000
    big = raw_mail(
        subject="Huge scan", body=("x" * 76 + "\n") * 400, message_id="<big@client.example>"
    )
    assert len(big) > limit
    imap_server.append(big)
    imap_server.append(raw_mail(subject="Small question", message_id="<small@client.example>"))

    assert imap_poll(account(imap_server, max_bytes=limit)) == 2

    held = InboundMail.objects.get(message_id="big@client.example")
    assert (held.status, held.reason, held.size) == ("quarantined", "too_large", len(big))
    assert "Subject: Huge scan" in held.raw.open("rb").read().decode()
    assert held.raw.size < limit
    assert "over the limit of 20000 bytes" in held.detail
    assert Ticket.objects.get().subject == "Small question"
    assert imap_server.uids("UNSEEN") == []  # both marked: the big one stays in the mailbox
    assert len(imap_server.uids("ALL")) == 2

    # A re-poll of the same message, and an admin's release, change nothing.
    client = imap_server.client()
    client.select("INBOX")
    client.uid("STORE", imap_server.uids("ALL")[0], "-FLAGS", "(\\Seen)")
    client.logout()
    assert imap_poll(account(imap_server, max_bytes=limit)) == 1
    assert inbound_release(held, by=erin).status == "quarantined"
    assert InboundMail.objects.count() == 2
    assert Ticket.objects.count() == 1
