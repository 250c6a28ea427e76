"""Mail fixtures written by the tests: raw bytes as real clients send them (no binary files)."""

import base64
from email.header import Header

from tests.factories import image_bytes

CRLF = b"\r\n"


def encoded_word(text: str, charset: str) -> str:
    return Header(text, charset).encode()


def raw_mail(
    *,
    sender: str = "Alice Example <alice@example.com>",
    to: str = "support@localhost",
    subject: str = "The printer is jammed",
    body: str | bytes = "It stopped at page 3.",
    charset: str = "utf-8",
    content_type: str = "text/plain",
    headers: dict[str, str] | None = None,
    message_id: str = "<m1@client.example>",
) -> bytes:
    """A single-part message; body is encoded in charset (8bit) unless given as bytes."""
    payload = body if isinstance(body, bytes) else body.encode(charset)
    subject_value = subject if subject.isascii() else encoded_word(subject, charset)
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject_value}",
        "Date: Mon, 23 Nov 2026 10:00:00 +0900",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}; charset={charset}",
        "Content-Transfer-Encoding: 8bit"
        if not payload.isascii()
        else "Content-Transfer-Encoding: 7bit",
    ]
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    head = "\r\n".join(lines).encode("ascii")
    return head + CRLF + CRLF + payload.replace(b"\r\n", b"\n").replace(b"\n", CRLF) + CRLF


def multipart(
    parts: list[bytes],
    *,
    subtype: str = "mixed",
    head: str = "",
    boundary: str = "b0",
) -> bytes:
    """A multipart body (with head, the headers of the message or part that holds it)."""
    lines = (
        head.encode() + f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    )
    for part in parts:
        lines += f"--{boundary}\r\n".encode() + part + CRLF
    return lines + f"--{boundary}--\r\n".encode()


def text_part(text: str, *, subtype: str = "plain", charset: str = "utf-8") -> bytes:
    body = base64.encodebytes(text.encode(charset))
    return (
        f"Content-Type: text/{subtype}; charset={charset}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + body


def file_part(
    name: str, data: bytes, *, content_type: str = "application/octet-stream", cid: str = ""
) -> bytes:
    disposition = "inline" if cid else "attachment"
    head = (
        f'Content-Type: {content_type}; name="{name}"\r\n'
        f'Content-Disposition: {disposition}; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
    )
    if cid:
        head += f"Content-ID: <{cid}>\r\n"
    return head.encode() + CRLF + base64.encodebytes(data)


def message_head(
    *,
    sender: str = "Alice Example <alice@example.com>",
    to: str = "support@localhost",
    subject: str = "The printer is jammed",
    message_id: str = "<m1@client.example>",
    extra: str = "",
) -> str:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"MIME-Version: 1.0\r\n{extra}"
    )


PNG = image_bytes("PNG", (1, 1))


def cp50220(text: str) -> bytes:
    """ISO-2022-JP as Outlook writes it: NEC characters (①, ㈱) in the JIS X 0208 set."""
    data = text.encode("cp932")
    out = bytearray()
    double = False
    index = 0
    while index < len(data):
        lead = data[index]
        if lead < 0x80:
            if double:
                out += b"\x1b(B"
                double = False
            out.append(lead)
            index += 1
            continue
        if not double:
            out += b"\x1b$B"
            double = True
        trail = data[index + 1]
        adjust = trail < 0x9F
        row = 0x70 if lead < 0xA0 else 0xB0
        first = ((lead - row) << 1) - adjust
        second = trail - (0x1F if trail < 0x7F else 0x20) if adjust else trail - 0x7E
        out += bytes([first, second])
        index += 2
    if double:
        out += b"\x1b(B"
    return bytes(out)
