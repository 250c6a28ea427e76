"""Profile pictures: only real PNG, JPEG or WebP images, re-encoded so no metadata survives."""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from madoguchi.core.errors import DomainError

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# Pictures are shown small; a larger one would only cost disk and bandwidth.
SIDE_MAX = 512


class AvatarError(DomainError):
    """The uploaded file cannot be a profile picture."""


def _opened(upload: UploadedFile) -> Image.Image:
    try:
        upload.seek(0)
        image = Image.open(upload)
    except (UnidentifiedImageError, OSError):
        raise AvatarError(_("The file is not a PNG, JPEG or WebP picture.")) from None
    if image.format not in FORMATS:
        raise AvatarError(_("The file is not a PNG, JPEG or WebP picture."))
    width, height = image.size
    # Checked from the header, before decoding: a small file can unpack into a huge bitmap.
    if width * height > settings.AVATAR_MAX_PIXELS:
        raise AvatarError(
            _("The picture has too many pixels (at most %(pixels)s).")
            % {"pixels": f"{settings.AVATAR_MAX_PIXELS:,}"}
        )
    return image


def _verified(upload: UploadedFile) -> Image.Image:
    """Return the decoded image after Pillow has checked the whole file is sound."""
    try:
        _opened(upload).verify()
        image = _opened(upload)
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AvatarError(_("The picture is damaged and cannot be read.")) from None
    return image


def avatar_clean(upload: UploadedFile) -> ContentFile:
    """Check an uploaded picture and return it re-encoded, at most SIDE_MAX square, no metadata.

    Raises AvatarError with a message for the person when the file is too large, not an image
    of an accepted format, has too many pixels or is damaged.
    """
    if upload.size is not None and upload.size > settings.AVATAR_MAX_BYTES:
        raise AvatarError(
            _("The picture is larger than %(limit)s.")
            % {"limit": filesizeformat(settings.AVATAR_MAX_BYTES)}
        )
    return picture_reencode(upload, side_max=SIDE_MAX)


def picture_reencode(upload: UploadedFile, *, side_max: int) -> ContentFile:
    """Return a PNG, JPEG or WebP picture re-encoded from its pixels, at most side_max wide.

    Raises AvatarError when the file is not such a picture, has too many pixels
    (AVATAR_MAX_PIXELS) or is damaged.
    """
    image = _verified(upload)
    source_format = image.format or "PNG"
    has_alpha = image.mode in {"RGBA", "LA", "P"} and source_format != "JPEG"
    clean = image.convert("RGBA" if has_alpha else "RGB")
    clean.thumbnail((side_max, side_max))
    # A fresh image from the pixels alone: EXIF, XMP, ICC and text chunks stay behind.
    stripped = Image.new(clean.mode, clean.size)
    stripped.paste(clean)
    buffer = io.BytesIO()
    stripped.save(buffer, format=source_format)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{FORMATS[source_format]}")
