"""Reading a CSV file of people to import: its encoding, its columns and each row's own mistakes.

This module knows nothing of the database; madoguchi.accounts.user_import decides what each valid
row will do. The file is streamed: it is read in chunks to find its encoding, then row by row, and
reading stops at the first row past the limit, so a huge file costs neither memory nor time.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.csvsafe import looks_like_formula
from madoguchi.core.errors import DomainError

CHUNK_BYTES = 64 * 1024
NAME_MAX = 150
EMAIL_MAX = 254
# Characters no spreadsheet writes into a CSV file: their presence means binary data, or text in
# an encoding that merely happened to decode (UTF-16 without a byte-order mark decodes as UTF-8).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MEMBER = "member"
ADMIN = "admin"

# Column → the header names accepted for it, compared lower-cased and trimmed.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "名前", "氏名"),
    "email": ("email", "e-mail", "email address", "メールアドレス", "メール"),
    "organisation": ("organisation", "organization", "組織", "組織名", "会社"),
    "role": ("role", "役割", "権限"),
    "language": ("language", "言語"),
}
REQUIRED = ("name", "email", "organisation")
COLUMN_LABELS: dict[str, Promise] = {
    "name": gettext_lazy("name (名前)"),
    "email": gettext_lazy("email (メールアドレス)"),
    "organisation": gettext_lazy("organisation (組織)"),
}
_HEADER_TO_COLUMN = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
_ROLES = {"": MEMBER, "member": MEMBER, "メンバー": MEMBER, "admin": ADMIN, "管理者": ADMIN}
_LANGUAGES = {
    "": "",
    "en": "en",
    "english": "en",
    "英語": "en",
    "ja": "ja",
    "japanese": "ja",
    "日本語": "ja",
}

# Row error codes and what they tell the admin.
ROW_ERRORS: dict[str, Promise] = {
    "missing_email": gettext_lazy("The email address is missing."),
    "invalid_email": gettext_lazy("The email address is not valid."),
    "duplicate_email": gettext_lazy("This email address is already on line %(line)s."),
    "unknown_organisation": gettext_lazy("No organisation has this slug or name."),
    "bad_role": gettext_lazy("The role must be member or admin (メンバー or 管理者)."),
    "bad_language": gettext_lazy("The language must be en or ja, or left empty."),
    "formula": gettext_lazy(
        "A cell starts with =, +, -, @ or a tab, like a spreadsheet formula; it was not imported."
    ),
    "name_too_long": format_lazy(
        gettext_lazy("The name is longer than {max} characters."), max=NAME_MAX
    ),
}


class ImportFileError(DomainError):
    """The file as a whole cannot be imported; the message says why."""


@dataclass
class Row:
    """One data row of the file, as typed, with the mistakes found in it alone."""

    line: int
    name: str
    email: str
    organisation: str
    role: str
    language: str
    errors: list[str] = field(default_factory=list)
    duplicate_of: int | None = None


@dataclass
class ParsedFile:
    encoding: str
    rows: list[Row]
    ignored_columns: list[str]


def detect_encoding(stream: IO[bytes]) -> str:
    """Return "utf-8-sig", "utf-8" or "cp932" for the file, or raise ImportFileError.

    A byte-order mark decides at once; otherwise the whole file must decode strictly as UTF-8,
    else as CP932 (Shift_JIS as Windows and Excel write it), into text without control characters.
    """
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        for encoding in ("utf-8", "cp932"):
            if _decodes_as_text(stream, encoding):
                return encoding
    raise ImportFileError(
        _(
            "Could not read the file's encoding. Save it from your spreadsheet as “CSV UTF-8” or "
            "as “CSV” (Shift_JIS) and upload it again."
        )
    )


def _decodes_as_text(stream: IO[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(CHUNK_BYTES):
            if _CONTROL.search(decoder.decode(chunk)):
                return False
        return not _CONTROL.search(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)


def parse(stream: IO[bytes], *, max_rows: int) -> ParsedFile:
    """Read the file: find its encoding and columns, then check each row on its own.

    Raise ImportFileError when the file cannot be imported at all: unreadable encoding, not CSV,
    no header, missing required columns, no rows, or more than max_rows rows.
    """
    encoding = detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        reader = csv.reader(text)
        columns, ignored = _read_header(reader)
        rows = list(_read_rows(reader, columns, max_rows))
    except csv.Error as exc:
        raise ImportFileError(
            _("The file is not a valid CSV file (line %(line)d).") % {"line": reader.line_num}
        ) from exc
    finally:
        text.detach()
    if not rows:
        raise ImportFileError(_("The file has a header but no rows to import."))
    _mark_duplicates(rows)
    return ParsedFile(encoding=encoding, rows=rows, ignored_columns=ignored)


def _read_header(reader: Iterator[list[str]]) -> tuple[dict[str, int], list[str]]:
    header = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        column = _HEADER_TO_COLUMN.get(raw.strip().lstrip("\ufeff").strip().lower())
        if column is None or column in columns:
            ignored.append(raw.strip())
        else:
            columns[column] = index
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise ImportFileError(
            _("The file lacks required columns: %(columns)s.")
            % {"columns": ", ".join(str(COLUMN_LABELS[column]) for column in missing)}
        )
    return columns, ignored


def _read_rows(reader: "csv._reader", columns: dict[str, int], max_rows: int) -> Iterator[Row]:
    count = 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > max_rows:
            raise ImportFileError(
                _(
                    "The file has more than %(max)d rows. Split it into files of at most %(max)d "
                    "rows and import them one after the other."
                )
                % {"max": max_rows}
            )
        yield _row(reader.line_num, cells, columns)


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _row(line: int, cells: list[str], columns: dict[str, int]) -> Row:
    raw = {column: _cell(cells, columns.get(column)) for column in COLUMNS}
    values = {column: text.strip() for column, text in raw.items()}
    row = Row(
        line=line,
        name=values["name"],
        email=values["email"].lower(),
        organisation=values["organisation"],
        role=_ROLES.get(values["role"].lower(), ""),
        language=_LANGUAGES.get(_language_tag(values["language"]), ""),
    )
    if any(looks_like_formula(text) or looks_like_formula(text.lstrip()) for text in raw.values()):
        row.errors.append("formula")
    row.errors.extend(_email_errors(row.email))
    if len(row.name) > NAME_MAX:
        row.errors.append("name_too_long")
    if values["role"].lower() not in _ROLES:
        row.errors.append("bad_role")
    if _language_tag(values["language"]) not in _LANGUAGES:
        row.errors.append("bad_language")
    return row


def _language_tag(text: str) -> str:
    """Reduce "ja-JP" or "en_GB" to the language, which is all the portal distinguishes."""
    return re.split(r"[-_]", text.lower(), maxsplit=1)[0] if text.isascii() else text


def _email_errors(email: str) -> list[str]:
    if not email:
        return ["missing_email"]
    if len(email) > EMAIL_MAX:
        return ["invalid_email"]
    try:
        validate_email(email)
    except ValidationError:
        return ["invalid_email"]
    return []


def _mark_duplicates(rows: list[Row]) -> None:
    """Mark every row whose address is on an earlier row: which one of them is meant is unclear."""
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_line:
            row.errors.append("duplicate_email")
            row.duplicate_of = first_line[row.email]
        else:
            first_line[row.email] = row.line
