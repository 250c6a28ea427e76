"""The personal data export (R34): asked for, built by a worker, mailed, downloaded once."""

import json
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import DataExport, User
from madoguchi.core import audit
from madoguchi.core.errors import DomainError
from madoguchi.core.mail import enqueue_mail

ARCHIVE_PREFIX = "personal-data"


class DataExportGoneError(DomainError):
    """The export can no longer be downloaded: already downloaded, expired, or never built."""


def data_export_request(user: User, *, request: HttpRequest | None = None) -> DataExport:
    """Start an export of user's data: a row, an audit event, and the build task (outbox).

    The task row is written in this transaction, so a rollback leaves no task behind.
    """
    # Imported here: the tasks module imports this one.
    from madoguchi.accounts.tasks import data_export_build_task

    with transaction.atomic():
        export = DataExport.objects.create(
            user=user,
            expires_at=timezone.now() + timedelta(days=settings.DATA_EXPORT_VALID_DAYS),
        )
        audit.record("account.data_export.requested", request=request, actor=user, target=export)
        data_export_build_task.enqueue(str(export.pk))
    return export


def _archive(user: User, destination: tempfile.SpooledTemporaryFile) -> None:
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in personal_data.sections().items():
            body = json.dumps(list(rows(user)), ensure_ascii=False, indent=2)
            archive.writestr(f"{ARCHIVE_PREFIX}/{name}.json", body)
        if user.avatar:
            suffix = PurePosixPath(user.avatar.name).suffix
            with user.avatar.open("rb") as avatar:
                archive.writestr(f"{ARCHIVE_PREFIX}/files/avatar{suffix}", avatar.read())


def data_export_build(export_id: str) -> None:
    """Build the ZIP of an export, store it privately, mark it ready and mail the link.

    Runs in a worker and may run twice: a ready export is left alone. The stored file is deleted
    again if marking the row fails, so no file outlives its row.
    """
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status != DataExport.Status.PENDING:
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        _archive(export.user, spool)
        spool.seek(0)
        export.file.save(f"{export.pk}.zip", File(spool), save=False)
    try:
        with transaction.atomic():
            export.status = DataExport.Status.READY
            export.save(update_fields=["file", "status"])
            _mail_ready(export)
    except Exception:
        export.file.storage.delete(export.file.name)
        raise


def data_export_fail(export_id: str) -> None:
    """Mark an export whose build gave up for good as failed."""
    DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.FAILED
    )


def _mail_ready(export: DataExport) -> None:
    user = export.user
    link = settings.SITE_URL + reverse("accounts:data_export_detail", kwargs={"pk": export.pk})
    context = {
        "user": user,
        "link": link,
        "expires_at": export.expires_at,
        "brand_name": settings.BRAND_NAME,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/data_export_ready_subject.txt", context)
        body = render_to_string("accounts/email/data_export_ready_message.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])
    enqueue_mail(message, idempotency_key=f"data-export-ready:{export.pk}")


def data_export_problem(export: DataExport, *, now: datetime | None = None) -> str | None:
    """Say why the export cannot be downloaded now, or None when it can."""
    now = now or timezone.now()
    if export.downloaded_at is not None:
        return _("This export has already been downloaded. Ask for a new one if you need it.")
    if export.expires_at <= now:
        return _("This export has expired. Ask for a new one if you need it.")
    if export.status == DataExport.Status.FAILED:
        return _("This export could not be prepared. Please ask for a new one.")
    if export.status != DataExport.Status.READY:
        return _("This export is still being prepared. You will get an email when it is ready.")
    return None


def data_export_download(export: DataExport, *, request: HttpRequest) -> File:
    """Mark the export downloaded and return its open file; the second call raises.

    Takes a row lock on the export so two simultaneous downloads cannot both succeed.
    """
    with transaction.atomic():
        locked = DataExport.objects.select_for_update().get(pk=export.pk)
        problem = data_export_problem(locked)
        if problem is not None:
            raise DataExportGoneError(problem)
        locked.downloaded_at = timezone.now()
        locked.save(update_fields=["downloaded_at"])
        audit.record("account.data_export.downloaded", request=request, target=locked)
    return locked.file.open("rb")


def data_exports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of exports that expired or were downloaded; return how many."""
    now = now or timezone.now()
    done = DataExport.objects.exclude(file="").filter(
        Q(expires_at__lte=now) | Q(downloaded_at__isnull=False)
    )
    count = 0
    for export in done:
        export.file.delete(save=False)
        export.save(update_fields=["file"])
        count += 1
    return count
