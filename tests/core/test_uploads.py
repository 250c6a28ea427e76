import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.core import uploads as attachments

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"PK\x03\x04docx", "application/zip"),
        ("注文番号,数量\nA-1,2\n".encode(), "text/plain"),
        ("注文番号,数量\n".encode("cp932"), "text/plain"),
        (b"2026-11-23 ERROR disk\n", "text/plain"),
        ("お問い合わせ\n".encode("iso-2022-jp"), "text/plain"),
    ],
)
def test_accepted_kinds_are_known_by_their_bytes(head: bytes, content_type: str) -> None:
    assert attachments.sniff(head) == content_type


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"\x7fELF\x02\x01\x01",  # a Linux program
        b"<html><script>alert(1)</script>",
        b"  <svg onload=alert(1)>",
        b"\x00\x01\x02binary",
        b"",
    ],
)
def test_programs_markup_and_unknown_bytes_are_refused(head: bytes) -> None:
    assert attachments.sniff(head) is None


def test_a_png_named_exe_is_still_a_png_and_an_exe_named_png_is_refused() -> None:
    assert attachments.check(SimpleUploadedFile("photo.exe", PNG)).content_type == "image/png"
    with pytest.raises(attachments.AttachmentRefusedError) as refused:
        attachments.check(SimpleUploadedFile("photo.png", b"MZ\x90\x00"))

    assert "photo.png is not a file type we accept" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\taro\\請求書.pdf", "請求書.pdf"),
        ("report\x00\x1b[31m.pdf", "report[31m.pdf"),
        (".htaccess", "htaccess"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_names_lose_paths_and_control_characters(name: str, cleaned: str) -> None:
    assert attachments.clean_name(name) == cleaned
