"""Automatic mail is recognised: auto-replies, bulk, bounces and our own mail coming back."""

import pytest

from madoguchi.tickets.inbound import loops
from madoguchi.tickets.inbound.parse import parse
from tests.tickets.inbound.mails import raw_mail

OURS = {"support@localhost"}


def reason(raw: bytes, envelope_from: str | None = "alice@example.com") -> str:
    return loops.automatic_reason(
        parse(raw), envelope_from=envelope_from, our_domain="localhost", our_addresses=OURS
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Auto-Submitted": "auto-replied"}, loops.AUTO_SUBMITTED),
        ({"Auto-Submitted": "auto-generated; owner-email=x@y"}, loops.AUTO_SUBMITTED),
        ({"Precedence": "bulk"}, loops.BULK),
        ({"Precedence": "junk"}, loops.BULK),
        ({"Precedence": "list"}, loops.BULK),
        ({"List-Id": "<news.example.com>"}, loops.BULK),
        ({"X-Autoreply": "yes"}, loops.AUTO_REPLY),
        ({"X-Auto-Response-Suppress": "All"}, loops.AUTO_REPLY),
    ],
)
def test_automatic_headers_are_recognised(headers: dict[str, str], expected: str) -> None:
    assert reason(raw_mail(headers=headers)) == expected


def test_mail_a_person_wrote_is_not_automatic() -> None:
    assert reason(raw_mail(headers={"Auto-Submitted": "no"})) == ""


def test_delivery_report_is_a_bounce() -> None:
    raw = raw_mail(content_type="multipart/report; report-type=delivery-status")

    assert reason(raw) == loops.BOUNCE


def test_null_envelope_sender_is_a_bounce() -> None:
    assert reason(raw_mail(), envelope_from="<>") == loops.BOUNCE


def test_null_return_path_is_a_bounce_when_the_envelope_is_unknown() -> None:
    assert reason(raw_mail(headers={"Return-Path": "<>"}), envelope_from=None) == loops.BOUNCE


def test_mailer_daemon_is_a_bounce() -> None:
    assert reason(raw_mail(sender="MAILER-DAEMON@mx.example.com")) == loops.BOUNCE


def test_our_own_address_and_message_id_are_our_own() -> None:
    assert reason(raw_mail(sender="support@localhost")) == loops.OUR_OWN
    own_id = "<0123456789abcdef0123456789abcdef@localhost>"
    assert reason(raw_mail(message_id=own_id)) == loops.OUR_OWN
