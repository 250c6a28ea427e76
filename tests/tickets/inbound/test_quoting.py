"""Quotes and signatures are stripped from the thread, in English and Japanese."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from madoguchi.tickets.inbound.quoting import strip_reply

NEW = "Thanks, that fixed it."


@pytest.mark.parametrize(
    "quoted",
    [
        "On Mon, 23 Nov 2026 at 10:00, Support <support@localhost> wrote:\n> Try again.",
        "On Mon, 23 Nov 2026 at 10:00, Support <\nsupport@localhost> wrote:\n> Try again.",
        "Support <support@localhost> wrote:\n> Try again.",
        "-----Original Message-----\nFrom: Support\nSent: Monday\n\nTry again.",
        "________________________________\nFrom: Support <support@localhost>\nSent: Monday\n"
        "Subject: Re: printer\n\nTry again.",
        "From: Support <support@localhost>\nSent: Monday, November 23, 2026 10:00\nTry again.",
        "2026年11月23日(月) 10:00 サポート <support@localhost>:\n> もう一度お試しください。",
        "2026/11/23 10:00、サポート <support@localhost> のメール:\n> もう一度お試しください。",
        "サポート様のメッセージ:\n> もう一度お試しください。",
        "差出人: サポート <support@localhost>\n送信日時: 2026年11月23日 10:00\n本文",
        "-----元のメッセージ-----\n差出人: サポート\n本文",
        "> Try again.\n> Regards",
    ],
)
def test_quoted_mail_is_stripped(quoted: str) -> None:
    assert strip_reply(f"{NEW}\n\n{quoted}") == NEW


def test_signature_is_stripped() -> None:
    assert strip_reply(f"{NEW}\n\n-- \nAlice Example\nAcme Corporation") == NEW


def test_mobile_footer_is_stripped() -> None:
    assert strip_reply(f"{NEW}\n\nSent from my iPhone") == NEW
    assert strip_reply("ありがとうございます。\n\niPhoneから送信") == "ありがとうございます。"


def test_japanese_reply_keeps_its_text() -> None:
    text = "直りました。ありがとうございます。\n\n山田"
    assert (
        strip_reply(f"{text}\n\n2026年11月23日(月) 10:00 サポート <s@localhost>:\n> 本文") == text
    )


def test_a_mail_that_is_only_a_quote_is_kept_whole() -> None:
    only_quote = "-----Original Message-----\nFrom: Bob\nSent: Monday\n\nPlease see below."
    assert strip_reply(only_quote) == only_quote


def test_text_mentioning_wrote_in_passing_is_kept() -> None:
    text = "My manager wrote: the printer is broken.\nPlease help."
    assert strip_reply(text) == text


def _our_marker(language: str) -> str:
    with translation.override(language):
        return render_to_string("tickets/email/_reply_marker.txt").strip()


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "introduction",
    [
        "",  # a client that writes nothing above the quote
        "サポート担当 <help@example.com> 様より：",  # noqa: RUF001  (a client we do not know)
        "Le lun. 23 nov. 2026, Support a écrit :",
    ],
)
def test_the_reply_ends_at_our_marker_line(language: str, introduction: str) -> None:
    quoted = f"{introduction}\n\n{_our_marker(language)}\n\nDave Agent wrote:\n\nTry again."
    assert strip_reply(f"{NEW}\n\n{quoted}") == NEW
    assert strip_reply(f"{NEW}\n\n> {_our_marker(language)}\n> Try again.") == NEW


def test_a_colon_in_the_reply_itself_is_kept() -> None:
    text = "Here is the log:\nerror 42 at page 3"
    assert strip_reply(f"{text}\n\n{_our_marker('en')}\n\nTry again.") == text
    assert strip_reply(f"Here is the log:\n\n{_our_marker('en')}") == "Here is the log:"


def test_a_line_of_the_reply_ending_in_a_colon_is_not_taken_for_an_attribution() -> None:
    text = "Hi,\nLog below:"
    assert strip_reply(f"{text}\n\n{_our_marker('ja')}\n\nTry again.") == text


def test_an_answer_under_a_quoted_marker_is_kept() -> None:
    bottom = f"> {_our_marker('en')}\n> Dave wrote:\n> Try again.\n\nI did, it still fails."
    assert strip_reply(bottom) == "I did, it still fails."
    between = f"Hello,\n\n> {_our_marker('en')}\n> Which model?\nThe X200.\n> And the error?\nE42"
    assert strip_reply(between) == "Hello,\n\nThe X200.\nE42"
