"""Files people attach (to requests, to articles): what we accept, judged by content, not name.

The browser's content type and the file's extension are claims; the first bytes are evidence.
A file is accepted when its bytes are one of the kinds below, stored under a generated name in
private storage, and served later only after a permission check, with the type found here.
"""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from madoguchi.core.errors import DomainError

SNIFF_BYTES = 8192
NAME_MAX = 200

# (leading bytes, content type); ZIP covers Office documents too.
_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
]
# Shown in the page rather than downloaded; everything else is offered as a download.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_TEXT_ENCODINGS = ("utf-8", "cp932", "euc-jp", "iso-2022-jp")


class AttachmentRefusedError(DomainError):
    pass


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int


def check(upload: UploadedFile) -> Checked:
    """Return the upload's safe name and its type found from its bytes, or refuse it."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise AttachmentRefusedError(
            _("%(name)s is not a file type we accept (images, PDF, text, ZIP and Office files).")
            % {"name": clean_name(upload.name or "")}
        )
    return Checked(name=clean_name(upload.name or ""), content_type=content_type, size=upload.size)


def sniff(head: bytes) -> str | None:
    """Return the content type the leading bytes prove, or None for a kind we do not accept."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _is_text(head):
        return "text/plain"
    return None


# Control bytes that plain text does not hold (ESC stays: ISO-2022-JP switches with it).
_BINARY_BYTES = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}) | {0x7F}


def _is_text(head: bytes) -> bool:
    if not head or not _BINARY_BYTES.isdisjoint(head):
        return False
    # Markup is text too, but a browser would run it: it is not accepted as text.
    if head.lstrip()[:1] == b"<":
        return False
    # A full sniffed prefix may end inside a multi-byte character.
    sample = head if len(head) < SNIFF_BYTES else head[:-4]
    for encoding in _TEXT_ENCODINGS:
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def clean_name(name: str) -> str:
    """Return the last part of a path-like name without control characters, at most 200 long."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    printable = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    printable = printable.strip().lstrip(".")
    if len(printable) > NAME_MAX:
        # Keep a short extension: it tells the person's computer what opens the file.
        stem, dot, suffix = printable.rpartition(".")
        if dot and len(suffix) <= 10:
            printable = f"{stem[: NAME_MAX - len(suffix) - 1]}.{suffix}"
        else:
            printable = printable[:NAME_MAX]
    return printable or "file"


def private_file_response(file: File, *, name: str, content_type: str) -> FileResponse:
    """Serve a stored file after the caller's permission check (R8).

    Images of the accepted kinds show in the page; everything else downloads. Whatever the bytes
    turn out to be, they never run as a page of this site, and no cache keeps them.
    """
    response = FileResponse(
        file.open("rb"),
        as_attachment=content_type not in INLINE_TYPES,
        filename=name,
        content_type=content_type,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
