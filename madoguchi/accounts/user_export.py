"""Export of users to CSV, through the safe exporter; every export is audited."""

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts import selectors
from madoguchi.accounts.models import User
from madoguchi.core import audit
from madoguchi.core.csvsafe import csv_response


def user_export_response(
    users: QuerySet[User], *, request: HttpRequest, selection: str
) -> StreamingHttpResponse:
    """Record the export in the audit log and stream the users as CSV.

    `selection` says which users were asked for (the list's filters, or "selected"); it goes into
    the audit event with the number of users.
    """
    audit.record(
        "users.export", request=request, data={"users": users.count(), "selection": selection}
    )
    header = [
        _("Name"),
        _("Email address"),
        _("Organisations"),
        _("Roles"),
        _("Language"),
        _("Date joined"),
        _("Last login"),
        _("Active"),
    ]
    filename = f"users-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return csv_response(filename, header, selectors.users_export_rows(users))
