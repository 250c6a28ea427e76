"""Turn the raw bytes of a mail into what a request needs: who, about what, what they wrote, files.

Parsing uses the standard library's `email` with policy.default, but never trusts it to succeed:
header values are read raw and decoded here (CPython #83281: a `From:` with group syntax makes
the address parser raise), every charset goes through a fallback chain (Japanese mail still comes
in ISO-2022-JP, Shift_JIS and EUC-JP, sometimes labelled wrongly or not at all), and a part that
cannot be read is skipped rather than failing the whole message.
"""

import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from django.conf import settings

from madoguchi.tickets.inbound.htmltext import html_to_text

# Deeper nesting than this is not walked (R38 asks for 100 levels; a bomb has thousands).
MAX_DEPTH = 120
MAX_PARTS = 500
SUBJECT_MAX = 300
MESSAGE_ID_MAX = 255

# What a label really means: Shift_JIS mail uses Microsoft's extensions (①, ㈱), and
# ISO-2022-JP mail often carries the JIS X 0212 / NEC characters its strict codec refuses.
_CHARSET_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-2022-jp-ms": "iso2022_jp_ext",
    "cp50220": "iso2022_jp_ext",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
}
_FALLBACKS = ("utf-8", "iso2022_jp_ext", "iso2022_jp_2", "cp932", "euc_jis_2004", "cp1252")
_SIGNATURE_TYPES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
_ANGLE_ID = re.compile(r"<([^<>\s]{1,250})>")


@dataclass
class Part:
    """A file found in the mail: an attachment or an inline image."""

    name: str
    content_type: str
    payload: bytes | None
    # Decoded size; for a part too large to decode it is estimated from the encoded size.
    size: int
    content_id: str = ""


@dataclass
class ParsedMail:
    sender: str = ""
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)
    # Whom the sender wrote to (To and Cc), as the headers say: the people they copied in.
    addressed: list[str] = field(default_factory=list)
    subject: str = ""
    message_id: str = ""
    references: list[str] = field(default_factory=list)
    text: str = ""
    parts: list[Part] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    # Problems met while reading, kept for the admin who looks at a quarantined message.
    problems: list[str] = field(default_factory=list)
    # The body could not be read at all: the message goes to quarantine.
    unreadable: bool = False


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode text in its declared charset if that works, else in the likeliest one.

    An unknown or wrong label falls back to UTF-8, the Japanese encodings and finally cp1252 with
    replacement characters: text is never refused for its encoding.
    """
    label = (charset or "").strip().strip('"').lower()
    tried = []
    if label:
        tried.append(_CHARSET_ALIASES.get(label, label))
    if b"\x1b$" in data or b"\x1b(" in data:
        # ESC sequences are ISO-2022-JP whatever the label says.
        tried.insert(0, "iso2022_jp_ext")
    tried.extend(_FALLBACKS)
    for codec in tried:
        try:
            return storable(data.decode(codec))
        except (LookupError, UnicodeDecodeError, ValueError):
            if codec == "iso2022_jp_ext":
                # Outlook's ISO-2022-JP (cp50220) carries NEC and IBM characters (①, ㈱).
                found = _iso2022jp_as_cp932(data)
                if found is not None:
                    return storable(found)
            continue
    return storable(data.decode("utf-8", errors="replace"))


def storable(text: str) -> str:
    """Text a database can hold: no NUL characters (PostgreSQL refuses them), no lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


_ESCAPES = {b"\x1b(B": "ascii", b"\x1b(J": "ascii", b"\x1b$@": "jis", b"\x1b$B": "jis"}
_ESCAPES[b"\x1b(I"] = "kana"


def _iso2022jp_as_cp932(data: bytes) -> str | None:
    """Decode ISO-2022-JP by re-encoding its JIS pairs as Shift_JIS, read as cp932."""
    out = bytearray()
    mode = "ascii"
    index = 0
    while index < len(data):
        escape = data[index : index + 3]
        if escape in _ESCAPES:
            mode = _ESCAPES[escape]
            index += 3
            continue
        byte = data[index]
        if mode == "jis" and byte not in b"\r\n":
            if index + 1 >= len(data):
                return None
            out += _jis_to_sjis(byte, data[index + 1])
            index += 2
            continue
        out.append(byte + 0x80 if mode == "kana" and 0x21 <= byte <= 0x5F else byte)
        index += 1
    try:
        return bytes(out).decode("cp932")
    except UnicodeDecodeError:
        return None


def _jis_to_sjis(first: int, second: int) -> bytes:
    lead = ((first + 1) >> 1) + (0x70 if first <= 0x5E else 0xB0)
    odd_row = second + (0x1F if second <= 0x5F else 0x20)
    trail = odd_row if first & 1 else second + 0x7E
    return bytes([lead & 0xFF, trail & 0xFF])


def decode_header_value(raw: str) -> str:
    """Decode a raw header value: RFC 2047 words in any charset, and raw 8-bit bytes."""
    if any(ord(char) > 127 for char in raw):
        # 8-bit bytes in a header arrive as surrogate escapes (or as already-decoded UTF-8).
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"), None)
    try:
        chunks = decode_header(raw)
    except Exception:
        return storable(_one_line(raw))
    text = []
    for chunk, charset in chunks:
        text.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return storable(_one_line("".join(text)))


def _one_line(value: str) -> str:
    return " ".join(value.split())


def parse(raw: bytes) -> ParsedMail:
    """Read a mail's bytes. Never raises for bad input; unreadable pieces become `problems`."""
    parsed = ParsedMail()
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError:
        # The standard parser recurses once per nesting level: thousands of levels defeat it.
        parsed.unreadable = True
        parsed.problems.append("the MIME structure is nested too deeply to read")
        message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        parsed.headers = _raw_headers(message)
        _read_envelope_headers(parsed)
        return parsed
    parsed.headers = _raw_headers(message)
    _read_envelope_headers(parsed)
    texts: list[str] = []
    _walk(message, parsed, texts)
    parsed.text = "\n\n".join(text.strip("\n") for text in texts if text.strip())
    return parsed


def _raw_headers(message: Message) -> dict[str, str]:
    """Header values as sent, the first of each name (lower-cased), without parsing them."""
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        headers.setdefault(str(name).strip().lower(), str(value))
    return headers


def _read_envelope_headers(parsed: ParsedMail) -> None:
    headers = parsed.headers
    senders = addresses(decode_header_value(headers.get("from", "")))
    if senders:
        parsed.sender_name, parsed.sender = senders[0]
    else:
        parsed.problems.append("no sender address in From")
    for name in ("to", "cc", "delivered-to", "x-original-to"):
        for _name, address in addresses(decode_header_value(headers.get(name, ""))):
            parsed.recipients.append(address)
            if name in {"to", "cc"}:
                parsed.addressed.append(address)
    parsed.subject = decode_header_value(headers.get("subject", ""))[:SUBJECT_MAX]
    ids = message_ids(headers.get("message-id", ""))
    parsed.message_id = ids[0] if ids else ""
    parsed.references = message_ids(
        headers.get("in-reply-to", "") + " " + headers.get("references", "")
    )


def addresses(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs of a header value, lower-cased addresses with an @ only."""
    found = []
    try:
        pairs = getaddresses([value])
    except Exception:
        return []
    for name, address in pairs:
        address = address.strip().lower()
        if "@" in address and len(address) <= 320 and not any(c.isspace() for c in address):
            found.append((name.strip(), address))
    return found


def message_ids(value: str) -> list[str]:
    """The <id> tokens of a Message-ID, In-Reply-To or References header, without brackets."""
    return [storable(found)[:MESSAGE_ID_MAX] for found in _ANGLE_ID.findall(value)]


def _walk(root: Message, parsed: ParsedMail, texts: list[str]) -> None:
    """Visit parts depth first without recursion; pick text bodies, collect files."""
    stack: list[tuple[Message, int]] = [(root, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS or depth > MAX_DEPTH:
            parsed.problems.append("too many or too deeply nested parts; the rest was skipped")
            return
        try:
            children = _visit(part, parsed, texts)
        except Exception as error:
            parsed.problems.append(f"a part could not be read: {type(error).__name__}")
            continue
        stack.extend((child, depth + 1) for child in reversed(children))


def _visit(part: Message, parsed: ParsedMail, texts: list[str]) -> list[Message]:
    content_type = part.get_content_type()
    if part.is_multipart():
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        if content_type == "multipart/alternative" and children:
            return [_best_alternative(children)]
        return children
    if content_type in _SIGNATURE_TYPES:
        # A signature (S/MIME, OpenPGP) is for the mail program; the raw mail keeps it.
        return []
    disposition = part.get_content_disposition()
    filename = _filename(part)
    is_body_text = content_type in {"text/plain", "text/html"} and not filename
    if is_body_text and disposition != "attachment":
        text = decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset())
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        texts.append(html_to_text(text) if content_type == "text/html" else text)
        return []
    parsed.parts.append(_file_part(part, content_type, filename))
    return []


def _best_alternative(children: list[Message]) -> Message:
    """Plain text if the sender gave it, else HTML, else the richest (last) alternative; but
    HTML that shows images sent with the mail (cid:) first, so the thread shows them too."""
    for child in children:
        if _shows_inline_images(child):
            return child
    for wanted in ("text/plain", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and not _filename(child):
                return child
    for child in children:
        if child.is_multipart():
            return child
    return children[-1]


def _shows_inline_images(part: Message) -> bool:
    """Tell whether part is HTML (alone or with its images) that names an image of the mail."""
    if part.get_content_type() == "multipart/related":
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        return any(_is_html_naming_images(child) for child in children[:MAX_PARTS])
    return _is_html_naming_images(part)


def _is_html_naming_images(part: Message) -> bool:
    if part.get_content_type() != "text/html" or _filename(part):
        return False
    return b"cid:" in (part.get_payload(decode=True) or b"").lower()


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return decode_header_value(str(name)) if name else ""


def _file_part(part: Message, content_type: str, filename: str) -> Part:
    encoded = part.get_payload()
    encoded_size = len(encoded) if isinstance(encoded, str | bytes) else 0
    content_id = message_ids(_raw_headers(part).get("content-id", ""))
    name = filename or _default_name(content_type)
    # Base64 is 4 characters per 3 bytes: a part clearly over the limit is not decoded at all.
    if encoded_size * 3 // 4 > settings.ATTACHMENT_MAX_BYTES + 4096:
        return Part(name, content_type, None, encoded_size * 3 // 4, "".join(content_id[:1]))
    payload = part.get_payload(decode=True) or b""
    return Part(name, content_type, payload, len(payload), "".join(content_id[:1]))


def _default_name(content_type: str) -> str:
    kind, _slash, sub = content_type.partition("/")
    return f"{kind or 'file'}.{re.sub(r'[^a-z0-9]', '', sub)[:10] or 'bin'}"
