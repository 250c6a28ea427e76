"""Storages that fail as real disks do, for the fault tests (F10) that cannot mount a tmpfs."""

import errno
import os
from typing import Any

from django.core.files.storage import FileSystemStorage


class DiskFillsStorage(FileSystemStorage):
    """Write the first KiB of any file, then fail with ENOSPC, leaving the partial file."""

    def _save(self, name: str, content: Any) -> str:
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.read(1024))
        raise OSError(errno.ENOSPC, "No space left on device", path)
