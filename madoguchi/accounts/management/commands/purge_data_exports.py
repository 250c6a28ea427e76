"""Delete the files of personal data exports that expired or were downloaded (run daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.accounts import data_exports


class Command(BaseCommand):
    help = "Delete the files of data exports that expired or were downloaded."

    def handle(self, *args: Any, **options: Any) -> None:
        count = data_exports.data_exports_purge()
        self.stdout.write(f"Deleted {count} export file(s).")
