import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from madoguchi.core import uploads as attachments
from tests.factories import image_bytes

PNG = image_bytes("PNG")


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


# Images are written anew (R11) ---------------------------------------------------------------


def _png_header_claiming(width: int, height: int) -> bytes:
    """flood.png of RELIABILITY.md 3c: a valid PNG header that claims a huge canvas."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: turn 90 degrees to show
    exif.get_ifd(0x8825)[2] = (35.0, 39.0, 29.0)  # GPSLatitude
    return image_bytes("JPEG", (40, 20), exif=exif.tobytes(), comment=b"secret comment")


def test_an_image_loses_its_exif_and_gps_and_keeps_its_pixels_upright() -> None:
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original

    checked = attachments.check(SimpleUploadedFile("photo.jpg", original))

    assert checked.content_type == "image/jpeg"
    assert checked.size == len(checked.content)
    assert b"PhoneMaker" not in checked.content
    assert b"secret comment" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert dict(stored.getexif()) == {}
        assert stored.size == (20, 40)  # turned as the EXIF orientation said


def test_a_png_loses_its_text_chunks() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1-2-3 Chiyoda")
    original = image_bytes("PNG", pnginfo=info)

    checked = attachments.check(SimpleUploadedFile("shot.png", original))

    assert b"Chiyoda" in original
    assert b"Chiyoda" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.size == (4, 3)


def test_a_polyglot_keeps_only_its_picture() -> None:
    """polyglot.gif: a real GIF with a script after it; the script is not kept."""
    polyglot = image_bytes("GIF") + b"<script>alert(document.domain)</script>"

    checked = attachments.check(SimpleUploadedFile("cat.gif", polyglot))

    assert b"<script>" not in checked.content
    assert checked.content_type == "image/gif"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_png_header_claiming(50_000, 50_000), "too many pixels", id="flood.png"),
        pytest.param(_png_header_claiming(10_000, 6_000), "too many pixels", id="60-megapixels"),
        pytest.param(b"GIF89a/*" + b"*/=alert(1)//" * 8, "not a readable image", id="fake.gif"),
        pytest.param(image_bytes("JPEG", (64, 64))[:200], "not a readable image", id="truncated"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>",
            "not a readable image",
            id="evil.html.png",
        ),
    ],
)
def test_images_that_are_not_what_they_claim_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(attachments.AttachmentRefusedError) as refused:
        attachments.check(SimpleUploadedFile("picture.png", data))

    assert message in str(refused.value)
    assert "picture.png" in str(refused.value)
