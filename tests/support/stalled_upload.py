"""A child process that submits a request with a file and stalls half-way through writing it.

Run as `python -m tests.support.stalled_upload REQUESTER_EMAIL MARKER_PATH` with the test
database in DATABASE_URL; it writes MARKER_PATH once part of the file is on disk, then waits
forever, so the test can kill -9 it at exactly that point (fault F3).
"""

import io
import sys
import time

import django

CHUNK = 64 * 1024


class StallingFile(io.BytesIO):
    """A PDF whose bytes stop coming after the first chunks, like a client gone quiet."""

    def __init__(self, marker: str) -> None:
        super().__init__(b"%PDF-1.7\n" + b"x" * (4 * CHUNK))
        self.marker = marker
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self.served += len(data)
        if self.served > 2 * CHUNK:
            with open(self.marker, "w") as done:
                done.write("stalled")
            while True:
                time.sleep(60)
        return data


def main(email: str, marker: str) -> None:
    django.setup()
    from django.core.files.uploadedfile import InMemoryUploadedFile

    from madoguchi.accounts.models import User
    from madoguchi.branding.services import default_brand
    from madoguchi.tickets import services

    content = StallingFile(marker)
    upload = InMemoryUploadedFile(
        content, "files", "manual.pdf", "application/pdf", 4 * CHUNK + 9, None
    )
    new = services.NewRequest(
        brand=default_brand(),
        requester=User.objects.get(email=email),
        subject="Interrupted",
        description="The process dies while the file is written.",
        field_files={"manual": upload},
    )
    services.ticket_create(new)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
