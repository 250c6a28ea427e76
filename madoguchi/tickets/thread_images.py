"""Images shown in a request's thread: a message names its own files, ![shot](shot.png)."""

from collections.abc import Callable, Iterable

from django.urls import reverse

from madoguchi.tickets.models import Attachment


def images_of(files: Iterable[Attachment], address: Callable[[Attachment], str]) -> dict[str, str]:
    """Map the name of each image among files (the first of a name) to its address."""
    images: dict[str, str] = {}
    for file in files:
        if file.content_type.startswith("image/"):
            images.setdefault(file.name, address(file))
    return images


def file_path(file: Attachment) -> str:
    """The address of a request's file, which answers only after a permission check (R8)."""
    return reverse("tickets:attachment", args=[file.ticket_id, file.pk])
