"""Random and mangled mail never crashes the intake: it always becomes a request, a reply, an
ignored message or quarantine, with its raw bytes kept (R38, the CI-sized hypothesis corpus)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.accounts.models import User
from madoguchi.tickets.inbound.parse import parse
from madoguchi.tickets.inbound.services import inbound_receive
from madoguchi.tickets.models import InboundMail
from tests.tickets.inbound.mails import (
    PNG,
    cp50220,
    file_part,
    message_head,
    multipart,
    raw_mail,
    text_part,
)

CORPUS = [
    raw_mail(),
    raw_mail(sender="undisclosed-recipients:;"),
    raw_mail(subject="件名", body=cp50220("①本文です"), charset="iso-2022-jp"),
    raw_mail(body="<p>hi<blockquote>q</blockquote>", content_type="text/html"),
    multipart(
        [text_part("see"), file_part("a.png", PNG, content_type="image/png", cid="c")],
        head=message_head(),
    ),
    b"From: a:b@c;\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nbody\r\n",
]
HEADER_NOISE = [
    b"From: =?x-bad?Q?=ZZ?= <@>\r\n",
    b'Content-Type: text/plain; charset="\x1b$B"\r\n',
    b"Content-Type: multipart/alternative; boundary=\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%FF%FE\r\n",
    b"References: <<<>>> <a@b\r\n",
    b"Auto-Submitted: no\r\n",
    b"To: support+0123456789abcdef0123456789abcdef@localhost\r\n",
    b"From: group: a@b.c, d@e.f;\r\n",
    b"Subject: =?utf-8?b?44GC?==?iso-2022-jp?b?GyRCJCIbKEI=?=\r\n",
]


@st.composite
def mangled_mail(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(CORPUS)))
    for _edit in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "header"]))
        at = draw(st.integers(0, len(raw)))
        if kind == "flip" and raw:
            raw[min(at, len(raw) - 1)] = draw(st.integers(0, 255))
        elif kind == "cut":
            raw = raw[: max(at, 1)] if draw(st.booleans()) else raw[at:]
        elif kind == "insert":
            raw[at:at] = draw(st.binary(max_size=40))
        else:
            raw[0:0] = draw(st.sampled_from(HEADER_NOISE))
    return bytes(raw)


ANY_MAIL = st.one_of(mangled_mail(), st.binary(max_size=2000))


@settings(max_examples=400, deadline=None)
@given(raw=ANY_MAIL)
def test_the_parser_never_raises(raw: bytes) -> None:
    parsed = parse(raw)
    assert isinstance(parsed.text, str)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=ANY_MAIL)
def test_every_message_lands_somewhere(raw: bytes, alice: User) -> None:
    mail = inbound_receive(raw, source="lmtp", envelope_from="alice@example.com")

    mail.refresh_from_db()
    assert mail.status in {"ticket", "reply", "ignored", "quarantined"}
    with mail.raw.open("rb") as kept:
        assert kept.read() == raw
    assert InboundMail.objects.filter(pk=mail.pk).exists()
