"""Shared helpers of the self-service account tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from madoguchi.accounts.models import User
from tests.factories import PASSWORD


def sign_in(client: Client, user: User) -> None:
    """Sign in through allauth's form, so the session counts as freshly authenticated."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def picture(
    fmt: str = "PNG", size: tuple[int, int] = (40, 30), name: str = "me.png"
) -> SimpleUploadedFile:
    """An image file as a browser would upload it, with EXIF metadata when the format has it."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCamera"  # Make
    image.save(buffer, format=fmt, exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
