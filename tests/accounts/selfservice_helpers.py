"""Shared helpers of the self-service account tests."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from madoguchi.accounts.models import User
from tests.factories import PASSWORD


def sign_in(client: Client, user: User) -> None:
    """Sign in and confirm the password again, as allauth asks before sensitive changes."""
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def noise(size: tuple[int, int] = (300, 300)) -> SimpleUploadedFile:
    """A PNG of random pixels: it does not compress, so its size is about 3 bytes a pixel."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("noise.png", buffer.getvalue(), content_type="image/png")


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
