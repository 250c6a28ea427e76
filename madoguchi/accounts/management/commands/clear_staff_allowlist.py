"""Emergency exit: empty the staff IP allowlist when every admin is locked out of the admin.

Run on the server (`manage.py clear_staff_allowlist`); the change is audited like any other.
"""

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.accounts import security_policy
from madoguchi.core import audit


class Command(BaseCommand):
    help = "Empty the staff IP allowlist, so the admin can be reached from any address again."

    def handle(self, *args: Any, **options: Any) -> None:
        row = security_policy.policy_row()
        previous = row.staff_ip_allowlist
        row.staff_ip_allowlist = ""
        row.save(update_fields=["staff_ip_allowlist"])
        security_policy.forget_cached()
        audit.record(
            "security_policy.allowlist_cleared",
            target=row,
            data={"previous": previous.splitlines(), "by": "manage.py clear_staff_allowlist"},
        )
        self.stdout.write("The staff IP allowlist is now empty.")
