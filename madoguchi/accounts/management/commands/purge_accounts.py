"""Anonymise the accounts whose deletion grace period has ended (run daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.accounts import deletion


class Command(BaseCommand):
    help = "Anonymise every account whose deletion grace period has ended."

    def handle(self, *args: Any, **options: Any) -> None:
        count = deletion.accounts_purge()
        self.stdout.write(f"Anonymised {count} account(s).")
