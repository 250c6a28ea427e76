"""Profile pictures: real PNG, JPEG or WebP only, re-encoded without metadata, within limits."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from madoguchi.accounts.avatars import SIDE_MAX, AvatarError, avatar_clean
from tests.accounts.selfservice_helpers import picture


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")])
def test_an_accepted_picture_is_reencoded_without_metadata(fmt: str, suffix: str) -> None:
    clean = avatar_clean(picture(fmt, size=(1200, 600)))

    image = Image.open(io.BytesIO(clean.read()))
    assert clean.name.endswith(suffix)
    assert image.format == fmt
    assert max(image.size) == SIDE_MAX
    clean.seek(0)
    assert b"CanaryCamera" not in clean.read()
    assert not image.getexif()


def test_the_source_had_the_metadata_that_is_stripped() -> None:
    """The canary is really in the upload, so its absence after cleaning means something."""
    assert b"CanaryCamera" in picture("JPEG").read()


def test_text_posing_as_a_picture_is_refused() -> None:
    fake = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")

    with pytest.raises(AvatarError, match="not a PNG, JPEG or WebP"):
        avatar_clean(fake)


def test_another_image_format_is_refused() -> None:
    with pytest.raises(AvatarError, match="not a PNG, JPEG or WebP"):
        avatar_clean(picture("GIF", name="me.gif"))


def test_a_truncated_picture_is_refused() -> None:
    whole = picture("PNG", size=(300, 300)).read()
    broken = SimpleUploadedFile("me.png", whole[: len(whole) // 2], content_type="image/png")

    with pytest.raises(AvatarError, match="damaged"):
        avatar_clean(broken)


def test_too_many_pixels_are_refused_before_decoding(settings) -> None:
    settings.AVATAR_MAX_PIXELS = 100 * 100

    with pytest.raises(AvatarError, match="too many pixels"):
        avatar_clean(picture("PNG", size=(101, 100)))


def test_a_file_over_the_byte_limit_is_refused(settings) -> None:
    settings.AVATAR_MAX_BYTES = 100

    with pytest.raises(AvatarError, match="larger than"):
        avatar_clean(picture("PNG", size=(200, 200)))
