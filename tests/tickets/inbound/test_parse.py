"""The parser over a corpus of mail written here: Japanese encodings, broken headers, HTML-only
mail, nesting and files (R38)."""

import base64

import pytest

from madoguchi.tickets.inbound.parse import decode_bytes, decode_header_value, parse
from tests.tickets.inbound.mails import (
    PNG,
    cp50220,
    encoded_word,
    file_part,
    message_head,
    multipart,
    raw_mail,
    text_part,
)

JA_SUBJECT = "プリンターが紙詰まりしました"
JA_BODY = "3ページ目で止まりました。①番トレイです。\n宜しくお願いします。"


def test_iso_2022_jp_subject_and_body_are_decoded() -> None:
    raw = raw_mail(subject=JA_SUBJECT, body=cp50220(JA_BODY), charset="iso-2022-jp")
    assert b"\x1b$B" in raw  # really ISO-2022-JP on the wire

    parsed = parse(raw)

    assert parsed.subject == JA_SUBJECT
    assert parsed.text.strip() == JA_BODY


def test_strict_iso_2022_jp_is_decoded() -> None:
    raw = raw_mail(subject=JA_SUBJECT, body="宜しくお願いします。", charset="iso-2022-jp")

    parsed = parse(raw)

    assert (parsed.subject, parsed.text.strip()) == (JA_SUBJECT, "宜しくお願いします。")


def test_shift_jis_with_microsoft_characters_is_decoded() -> None:
    body = "株式会社の㈱と①を含む本文です。"
    raw = raw_mail(subject="件名のテスト", body=body.encode("cp932"), charset="Shift_JIS")

    parsed = parse(raw)

    assert parsed.text.strip() == body
    assert parsed.subject == "件名のテスト"


def test_euc_jp_is_decoded() -> None:
    raw = raw_mail(body="日本語のメールです。", charset="euc-jp")

    assert parse(raw).text.strip() == "日本語のメールです。"


def test_unknown_charset_falls_back_without_failing() -> None:
    raw = raw_mail(body="こんにちは".encode(), charset="x-no-such-charset")

    assert parse(raw).text.strip() == "こんにちは"


def test_wrong_charset_label_falls_back_to_what_decodes() -> None:
    # Labelled UTF-8, sent in Shift_JIS: still readable, never an exception.
    raw = raw_mail(body="お問い合わせ".encode("cp932"), charset="utf-8")

    assert parse(raw).text.strip() == "お問い合わせ"


def test_raw_8bit_header_in_shift_jis_is_decoded() -> None:
    raw = raw_mail(subject="placeholder").replace(
        b"Subject: placeholder", b"Subject: " + "返品について".encode("cp932")
    )

    assert parse(raw).subject == "返品について"


def test_encoded_word_in_unknown_charset_does_not_fail() -> None:
    assert decode_header_value("=?x-bogus?B?44GC?=") == "あ"
    assert decode_header_value("=?utf-8?B?not base64!!?=")  # something, never an exception


def test_decode_bytes_never_raises() -> None:
    assert decode_bytes(b"\xff\xfe\x00garbage\x80", "utf-16-nonsense")


def test_group_syntax_from_is_no_sender_and_no_crash() -> None:
    """CPython #83281: the address parser raises on a From with group syntax."""
    raw = raw_mail(sender="undisclosed-recipients:;")

    parsed = parse(raw)

    assert parsed.sender == ""
    assert "no sender address in From" in parsed.problems


def test_cpython_83281_crash_input_is_read() -> None:
    raw = (
        b"From: a:b@c;\r\nTo: support@localhost\r\nSubject: x\r\n"
        b"Content-Type: text/plain\r\n\r\nbody\r\n"
    )

    parsed = parse(raw)

    assert parsed.text.strip() == "body"


def test_html_only_mail_becomes_text_without_markup() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        "<body><p>Hello <b>there</b>,</p><p>the printer&nbsp;is jammed.<br>Page 3.</p>"
        '<img src="cid:x" alt="photo"></body></html>'
    )
    raw = raw_mail(body=html, content_type="text/html")

    text = parse(raw).text

    assert "Hello there," in text
    assert "the printer is jammed.\nPage 3." in text
    assert "<" not in text
    assert "alert" not in text
    assert "color" not in text


def test_multipart_alternative_prefers_plain_text() -> None:
    body = multipart(
        [text_part("Plain words"), text_part("<p>HTML words</p>", subtype="html")],
        subtype="alternative",
        head=message_head(),
    )

    assert parse(body).text.strip() == "Plain words"


def test_attachments_and_inline_images_are_collected() -> None:
    related = multipart(
        [
            text_part('<p>See <img src="cid:img1"></p>', subtype="html"),
            file_part("photo.png", PNG, content_type="image/png", cid="img1"),
        ],
        subtype="related",
        boundary="rel",
    )
    raw = multipart(
        [related, file_part("report.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
        head=message_head(),
    )

    parsed = parse(raw)

    assert "See" in parsed.text
    assert [(p.name, p.payload) for p in parsed.parts] == [
        ("photo.png", PNG),
        ("report.pdf", b"%PDF-1.4 test"),
    ]
    assert parsed.parts[0].content_id == "img1"


def test_nesting_100_deep_is_read_to_the_bottom() -> None:
    inner = text_part("deep down")
    for level in range(100):
        inner = multipart([inner], boundary=f"level{level}")
    raw = message_head().encode() + inner

    parsed = parse(raw)

    assert parsed.text.strip() == "deep down"


def test_nesting_thousands_deep_is_unreadable_not_a_crash() -> None:
    inner = text_part("too deep")
    for level in range(3000):
        inner = multipart([inner], boundary=f"level{level}")

    parsed = parse(message_head().encode() + inner)

    assert parsed.unreadable
    assert parsed.sender == "alice@example.com"


def test_references_and_message_id_are_read() -> None:
    raw = raw_mail(
        headers={
            "In-Reply-To": "<a@x>",
            "References": "<r1@x> <r2@x>",
        }
    )

    parsed = parse(raw)

    assert parsed.message_id == "m1@client.example"
    assert parsed.references == ["a@x", "r1@x", "r2@x"]


def test_large_attachment_is_not_decoded(settings: object) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    raw = multipart(
        [text_part("big file"), file_part("big.bin", b"\0" * 100_000)], head=message_head()
    )

    part = parse(raw).parts[0]

    assert part.payload is None
    assert part.size > 1024


@pytest.mark.parametrize("charset", ["iso-2022-jp", "shift_jis", "euc-jp", "utf-8"])
def test_japanese_filename_is_decoded(charset: str) -> None:
    name = encoded_word("請求書.pdf", charset)
    part = (
        f'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + base64.encodebytes(b"%PDF-1.4")
    raw = multipart([text_part("see file"), part], head=message_head())

    assert parse(raw).parts[0].name == "請求書.pdf"
