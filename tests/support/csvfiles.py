"""CSV files of people, written as spreadsheets write them, for the bulk import tests."""

import csv
import io
from collections.abc import Iterable, Sequence

HEADER_EN = ("name", "email", "organisation", "role", "language")
HEADER_JA = ("名前", "メールアドレス", "組織", "役割", "言語")


def users_csv(
    rows: Iterable[Sequence[str]], *, encoding: str = "utf-8", header: Sequence[str] = HEADER_EN
) -> bytes:
    """Return the rows under the header as CSV bytes with CRLF line ends, as Excel saves them."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)
