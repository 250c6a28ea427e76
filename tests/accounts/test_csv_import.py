import codecs
import io
import random
import time
import tracemalloc
from pathlib import Path

import pytest

from madoguchi.accounts import csv_import
from madoguchi.accounts.csv_import import ImportFileError

HEADER_EN = "name,email,organisation,role,language\r\n"
HEADER_JA = "名前,メールアドレス,組織,役割,言語\r\n"


def parse(data: bytes, max_rows: int = 100) -> csv_import.ParsedFile:
    return csv_import.parse(io.BytesIO(data), max_rows=max_rows)


def test_shift_jis_file_written_as_excel_writes_it(tmp_path: Path) -> None:
    """A CP932 file on disk, with kanji, full-width digits and NEC specials (①, ㈱)."""
    path = tmp_path / "users.csv"
    with path.open("w", encoding="cp932", newline="") as handle:
        handle.write(HEADER_JA)
        handle.write("山田 太郎,taro@example.jp,㈱グローベックス①,管理者,日本語\r\n")
        handle.write("鈴木 花子,hanako@example.jp,acme,メンバー,\r\n")

    with path.open("rb") as stream:
        parsed = csv_import.parse(stream, max_rows=10)

    assert parsed.encoding == "cp932"
    first, second = parsed.rows
    assert (first.name, first.organisation, first.role, first.language) == (
        "山田 太郎",
        "㈱グローベックス①",
        "admin",
        "ja",
    )
    assert (second.role, second.language, second.errors) == ("member", "", [])


def test_utf8_with_and_without_bom_read_the_same() -> None:
    body = (HEADER_EN + "Zoë Ünal,zoe@example.com,acme,member,en\r\n").encode()

    plain = parse(body)
    bom = parse(codecs.BOM_UTF8 + body)

    assert (plain.encoding, bom.encoding) == ("utf-8", "utf-8-sig")
    assert plain.rows == bom.rows
    assert bom.rows[0].name == "Zoë Ünal"


def test_japanese_headers_in_any_order_and_extra_columns_are_noticed() -> None:
    body = "言語,備考,メールアドレス,役割,組織,名前\n英語,VIP,A@Example.COM,admin,acme,A\n"

    parsed = parse(body.encode())

    [row] = parsed.rows
    assert (row.name, row.email, row.organisation, row.role, row.language) == (
        "A",
        "a@example.com",
        "acme",
        "admin",
        "en",
    )
    assert parsed.ignored_columns == ["備考"]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("name,organisation\n", "email (メールアドレス)"),
        ("email\n", "name (名前), organisation (組織)"),
    ],
)
def test_missing_required_columns_are_named(header: str, missing: str) -> None:
    with pytest.raises(ImportFileError) as error:
        parse((header + "x,y\n").encode())

    assert str(error.value) == f"The file lacks required columns: {missing}."


def test_role_and_language_columns_may_be_left_out() -> None:
    [row] = parse(b"email,name,organisation\nx@example.com,X,acme\n").rows

    assert (row.role, row.language, row.errors) == ("member", "", [])


def test_duplicate_addresses_point_at_the_first_line() -> None:
    body = HEADER_EN + "A,a@example.com,acme,,\nB,b@example.com,acme,,\nA2,A@EXAMPLE.com,x,,\n"

    first, second, third = parse(body.encode()).rows

    assert first.errors == second.errors == []
    assert third.errors == ["duplicate_email"]
    assert third.duplicate_of == 2


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", '=HYPERLINK("http://x")', "\uff1d1+1", " =1"],
)
def test_formula_like_cells_are_row_errors(cell: str) -> None:
    body = HEADER_EN + f'"{cell}",f@example.com,acme,member,en\n'

    [row] = parse(body.encode()).rows

    assert "formula" in row.errors


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ("A,not-an-address,acme,member,en", "invalid_email"),
        ("A,,acme,member,en", "missing_email"),
        ("A,a@example.com,acme,owner,en", "bad_role"),
        ("A,a@example.com,acme,member,fr", "bad_language"),
        ("A" * 151 + ",a@example.com,acme,member,en", "name_too_long"),
    ],
)
def test_row_mistakes_are_reported_per_row(cells: str, error: str) -> None:
    body = HEADER_EN + "Good,good@example.com,acme,admin,ja\n" + cells + "\n"

    good, bad = parse(body.encode()).rows

    assert good.errors == []
    assert bad.errors == [error]
    assert str(csv_import.ROW_ERRORS[error])


def test_blank_lines_are_skipped_and_quoted_newlines_kept() -> None:
    body = HEADER_EN + '\n"Line\nbreak",a@example.com,acme,,\n,,,,\n'

    [row] = parse(body.encode()).rows

    assert row.name == "Line\nbreak"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(HEADER_EN.encode("utf-16"), id="utf-16 with BOM"),
        pytest.param(HEADER_EN.encode("utf-16-le"), id="utf-16 without BOM"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), id="binary"),
        # Fixed noise, the same on every run.
        pytest.param(random.Random(3).randbytes(4096), id="random bytes"),  # noqa: S311
    ],
)
def test_unreadable_encodings_get_a_clear_error(data: bytes) -> None:
    with pytest.raises(ImportFileError, match="Could not read the file's encoding"):
        parse(data)


def test_empty_and_header_only_files_are_refused() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        parse(b"\r\n\r\n")
    with pytest.raises(ImportFileError, match="no rows"):
        parse(HEADER_EN.encode())


@pytest.fixture(scope="module")
def rows_100k() -> bytes:
    lines = (f"Person {n},p{n}@example.com,acme,member,en\n" for n in range(100_000))
    return (HEADER_EN + "".join(lines)).encode()


def test_a_100k_row_file_is_refused_quickly(rows_100k: bytes) -> None:
    started = time.monotonic()

    with pytest.raises(ImportFileError, match="more than 20000 rows"):
        parse(rows_100k, max_rows=20_000)

    assert time.monotonic() - started < 5


def test_a_long_file_is_streamed_not_read_whole(rows_100k: bytes) -> None:
    """Memory follows the rows kept up to the limit, not the 4.7 MB file decoded whole."""
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="more than 1000 rows"):
            parse(rows_100k, max_rows=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < len(rows_100k) / 2


def test_exactly_the_row_limit_is_accepted() -> None:
    body = HEADER_EN + "".join(f"P,p{n}@example.com,acme,,\n" for n in range(50))

    assert len(parse(body.encode(), max_rows=50).rows) == 50
