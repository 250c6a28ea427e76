"""Strip what a reply repeats (the quoted earlier mail) and the sender's signature.

The thread shows what the person wrote this time; the raw message keeps everything. When the
stripping would leave nothing (a mail that is only a forward), the whole text is kept.

Our own mails start with a marker line, "##- Reply above this line … -##" in the recipient's
language (templates/tickets/email/_reply_marker.*). Whatever a mail client adds in front of the
quote, the reply ends before that line, and a line introducing the quote just above it goes too.
"""

import re

_ATTRIBUTIONS = [
    # English clients: "On Mon, 5 Jan 2026 at 10:00, Alice <alice@example.com> wrote:"
    re.compile(r"^\s*On\b.{0,400}\bwrote:\s*$", re.IGNORECASE),
    # "Alice <alice@example.com> wrote:" (Thunderbird and others, without a date)
    re.compile(r"^.{0,200}<[^<>\s]+@[^<>\s]+>\s*wrote:\s*$", re.IGNORECASE),
    # Japanese clients: "… のメッセージ:", "… のメール:", "… さんは書きました:"
    re.compile(r"^.{0,400}(のメッセージ|のメール|さんは書きました|が書きました)\s*[:\uff1a]\s*$"),
    # Gmail in Japanese: "2026年1月5日(月) 10:00 山田 花子 <hanako@example.com>:"
    re.compile(r"^\s*\d{4}[年/-]\d{1,2}[月/-]\d{1,2}.{0,300}<[^<>\s]+@[^<>\s]+>\s*[:\uff1a]\s*$"),
    # Outlook: "-----Original Message-----", "-----元のメッセージ-----"
    re.compile(r"^\s*-{2,}\s*(Original Message|元のメッセージ|Forwarded by .*)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),
]
# Outlook's header block: "From: …" followed closely by "Sent: …" (or the Japanese labels).
_FROM_LINE = re.compile(r"^\s*\**(From|差出人|送信者)\**\s*[:\uff1a]", re.IGNORECASE)
_SENT_LINE = re.compile(r"^\s*\**(Sent|Date|送信日時|日付|日時)\**\s*[:\uff1a]", re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s?$")
# The marker in any language, quoted (">") or not.
_OUR_MARKER = re.compile(r"##-.{1,200}-##")
# What an attribution line holds and a person's "Details below:" does not: an address or a time.
_NAMES_A_MAIL = re.compile(r"@|\d{1,2}:\d{2}|\d{4}")
_MOBILE_FOOTER = re.compile(r"^\s*(Sent from my .{1,40}|.{1,30}から送信)\s*$", re.IGNORECASE)


def strip_reply(text: str) -> str:
    """Return the new part of a mail body: quotes and signature removed, or all if nothing stays."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = lines[: _quote_start(lines)]
    kept = _before_signature(kept)
    kept = [line for line in kept if not line.lstrip().startswith(">")]
    while kept and (_MOBILE_FOOTER.match(kept[-1]) or not kept[-1].strip()):
        kept.pop()
    stripped = "\n".join(kept).strip()
    return stripped or text.strip()


def _quote_start(lines: list[str]) -> int:
    """Index of the first line of the quoted part (an attribution or our marker), or len(lines)."""
    for index, line in enumerate(lines):
        if _OUR_MARKER.search(line) and not _answered_below(lines, index):
            return _introduction_start(lines, index)
        if any(pattern.match(line) for pattern in _ATTRIBUTIONS):
            return index
        # Some clients wrap a long attribution over two lines.
        joined = f"{line} {lines[index + 1]}" if index + 1 < len(lines) else ""
        if joined and line.strip() and _ATTRIBUTIONS[0].match(joined):
            return index
        if _FROM_LINE.match(line) and any(
            _SENT_LINE.match(n) for n in lines[index + 1 : index + 5]
        ):
            return index
    return len(lines)


def _introduction_start(lines: list[str], marker: int) -> int:
    """Where the quote starts when our marker is at index marker: before a line introducing it.

    A client we do not know still writes its attribution just above the quote, ending in a
    colon and naming an address or a date ("Support <help@example.com> 様より:"); it is not what
    the person wrote.
    """
    previous = marker - 1
    while previous >= 0 and not lines[previous].strip().lstrip(">").strip():
        previous -= 1
    line = lines[previous] if previous >= 0 else ""
    introduces = line.rstrip().endswith((":", "\uff1a")) and _NAMES_A_MAIL.search(line)
    # Unless it is all the person wrote.
    if introduces and any(earlier.strip() for earlier in lines[:previous]):
        return previous
    return marker


def _answered_below(lines: list[str], marker: int) -> bool:
    """Tell whether the person wrote under a quoted marker (bottom posting, or answers between
    the quoted lines): then the quote is not where their text ends."""
    if not lines[marker].lstrip().startswith(">"):
        return False
    return any(line.strip() and not line.lstrip().startswith(">") for line in lines[marker + 1 :])


def _before_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line):
            return lines[:index]
    return lines
