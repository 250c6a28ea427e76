"""The safe CSV exporter: every CSV the portal writes goes through here (RELIABILITY R33).

Spreadsheets run a cell that starts with a formula trigger, so a name such as `=HYPERLINK(…)`
typed by a customer would run on the admin's machine when they open an export. Such cells are
prefixed with an apostrophe, which spreadsheets show as text and do not display. Files start with
a UTF-8 byte-order mark, without which Excel reads UTF-8 as the local code page (Shift_JIS in
Japan) and garbles Japanese.
"""

import codecs
import csv
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

# = + - @, tab, CR, LF and NUL, and the full-width = + - @ that a Japanese IME types.
FORMULA_TRIGGERS = (
    *("=", "+", "-", "@", "\t", "\r", "\n", "\0"),
    *("\uff1d", "\uff0b", "\uff0d", "\uff20"),
)

Cell = str | int | bool | datetime | None


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet could take the text for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(value: Cell) -> str:
    """Return the cell as text that a spreadsheet shows and never runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    text = str(value)
    return f"'{text}" if looks_like_formula(text) else text


class _Line:
    """A file-like object for csv.writer that hands back what was written to it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Cell]]) -> Iterator[str]:
    """Yield the CSV text one line at a time: the byte-order mark, the header, then the rows.

    RFC 4180 quoting and CRLF line ends; every cell is neutralised, the header included.
    """
    writer = csv.writer(_Line(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    yield codecs.BOM_UTF8.decode("utf-8")
    yield writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable[Cell]]
) -> StreamingHttpResponse:
    """Stream a CSV download, so a large export never sits whole in memory."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
