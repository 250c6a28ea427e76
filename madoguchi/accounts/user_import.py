"""Bulk import of people from a CSV file: preview, confirmation, then a background run in batches.

Nothing is written to accounts before the admin confirms. The run goes in batches, each in one
transaction with its progress, so a crash leaves no half-done batch, and a retry starts after the
last committed batch. Each row's effect is claimed with effect_once, and rows that are already
done (an account with the membership, an open invitation) are skipped, so running the same file
again changes nothing.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from madoguchi.accounts import csv_import, invitations, tasks
from madoguchi.accounts.csv_import import ImportFileError
from madoguchi.accounts.models import Invitation, Membership, Organisation, User, UserImport
from madoguchi.core import audit
from madoguchi.core.errors import DomainError
from madoguchi.core.jobs import effect_once
from madoguchi.core.mail import enqueue_mail

PREVIEW_VALID_FOR = timedelta(hours=1)
BATCH_SIZE = 100
# Values per IN (…) query: well below SQLite's limit on bound parameters.
LOOKUP_CHUNK = 500
ORGANISATION_NAME_MAX = Organisation._meta.get_field("name").max_length or 200

INVITE = "invite"
ADD_MEMBERSHIP = "add_membership"
NOTHING = "nothing"
ERROR = "error"
OUTCOMES = (INVITE, ADD_MEMBERSHIP, NOTHING, ERROR)


class ImportStateError(DomainError):
    """The import cannot take this step now (already confirmed, or its preview expired)."""


@dataclass
class _Facts:
    """What the database holds about a set of rows, read in a few queries."""

    organisations: dict[str, Organisation]
    users: dict[str, int]
    memberships: set[tuple[int, int]]
    invitations: set[tuple[str, int | None]]


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _find_organisations(values: set[str]) -> dict[str, Organisation]:
    """Map each value to the organisation with that slug or, failing that, that exact name."""
    found: dict[str, Organisation] = {}
    by_slug: dict[str, Organisation] = {}
    for chunk in _chunks(value for value in values if value):
        for organisation in Organisation.objects.filter(Q(slug__in=chunk) | Q(name__in=chunk)):
            found.setdefault(organisation.name, organisation)
            by_slug[organisation.slug] = organisation
    return {**found, **by_slug}


def _facts(rows: list[dict[str, Any]], organisations: dict[str, Organisation]) -> _Facts:
    emails = {row["email"] for row in rows if not row["errors"]}
    users: dict[str, int] = {}
    invited: set[tuple[str, int | None]] = set()
    for chunk in _chunks(emails):
        users.update(
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=chunk)
            .values_list("address", "pk")
        )
        invited.update(
            Invitation.objects.filter(
                email__in=chunk,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).values_list("email", "organisation_id")
        )
    memberships: set[tuple[int, int]] = set()
    for chunk in _chunks(users.values()):
        memberships.update(
            Membership.objects.filter(user_id__in=chunk).values_list("user_id", "organisation_id")
        )
    return _Facts(organisations, users, memberships, invited)


def _outcome(row: dict[str, Any], facts: _Facts, *, create_organisations: bool) -> str:
    """Decide what a row does; an unknown organisation becomes a row error unless it is created."""
    if row["errors"]:
        return ERROR
    wanted = row["organisation"]
    organisation = facts.organisations.get(wanted)
    if wanted and organisation is None:
        if not create_organisations or len(wanted) > ORGANISATION_NAME_MAX:
            row["errors"].append("unknown_organisation")
            return ERROR
        row["new_organisation"] = True
    organisation_id = organisation.pk if organisation else None
    user_id = facts.users.get(row["email"])
    if user_id is not None:
        if not wanted or (user_id, organisation_id) in facts.memberships:
            return NOTHING
        return ADD_MEMBERSHIP
    if (organisation is not None or not wanted) and (
        row["email"],
        organisation_id,
    ) in facts.invitations:
        return NOTHING
    return INVITE


def _file_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def user_import_preview(
    *, upload: UploadedFile, create_organisations: bool, actor: User, brand_name: str = ""
) -> UserImport:
    """Read and check the file and store what each row would do; write nothing else.

    Raise ImportFileError for a file that cannot be imported at all: too large (refused from its
    size, before it is read), unreadable, lacking columns, or with too many rows. Expired previews
    of every admin are deleted on the way.
    """
    if upload.size is None or upload.size > settings.USER_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(max)d MiB. Split it and import the parts one by one.")
            % {"max": settings.USER_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    digest = _file_sha256(upload)
    parsed = csv_import.parse(upload.file, max_rows=settings.USER_IMPORT_MAX_ROWS)
    rows = [asdict(row) for row in parsed.rows]
    facts = _facts(rows, _find_organisations({row["organisation"] for row in rows}))
    for row in rows:
        row["outcome"] = _outcome(row, facts, create_organisations=create_organisations)
    now = timezone.now()
    with transaction.atomic():
        UserImport.objects.filter(status=UserImport.Status.PREVIEWED, expires_at__lt=now).delete()
        return UserImport.objects.create(
            created_by=actor,
            expires_at=now + PREVIEW_VALID_FOR,
            file_name=(upload.name or "")[:255],
            file_sha256=digest,
            encoding=parsed.encoding,
            create_organisations=create_organisations,
            brand_name=brand_name,
            rows=rows,
            ignored_columns=parsed.ignored_columns,
            planned=dict(Counter(row["outcome"] for row in rows)),
        )


def user_import_confirm(
    user_import: UserImport, *, actor: User, request: HttpRequest | None = None
) -> None:
    """Queue the import's run; refuse if it was confirmed already or its preview has expired.

    Locks: one conditional UPDATE from PREVIEWED to QUEUED, so a double submit queues one run.
    The task row and the audit event are written in the same transaction.
    """
    with transaction.atomic():
        queued = UserImport.objects.filter(
            pk=user_import.pk,
            status=UserImport.Status.PREVIEWED,
            expires_at__gt=timezone.now(),
        ).update(status=UserImport.Status.QUEUED)
        if not queued:
            raise ImportStateError(
                _(
                    "This import was already confirmed, or its preview has expired. "
                    "Upload the file again to import it."
                )
            )
        audit.record(
            "users.import.started",
            request=request,
            actor=actor,
            target=user_import,
            data={
                "file": user_import.file_name,
                "sha256": user_import.file_sha256,
                "rows": len(user_import.rows),
                "planned": user_import.planned,
            },
        )
        tasks.user_import_run_task.enqueue(str(user_import.pk))


def user_import_run(*, import_id: str) -> dict[str, int]:
    """Run a confirmed import batch by batch, then mark it finished; return the counts.

    Safe to call again after a crash: batches already committed are skipped. Side effects per row:
    an invitation with its queued mail, or a membership, each with an audit event.
    """
    job = UserImport.objects.filter(pk=import_id).first()
    if job is None or job.status not in {UserImport.Status.QUEUED, UserImport.Status.RUNNING}:
        return job.result if job else {}
    UserImport.objects.filter(pk=job.pk, status=UserImport.Status.QUEUED).update(
        status=UserImport.Status.RUNNING, started_at=timezone.now()
    )
    for start in range(0, len(job.rows), BATCH_SIZE):
        _run_batch(job.pk, job.rows[start : start + BATCH_SIZE], start)
    return _finish(job.pk, UserImport.Status.FINISHED)


def user_import_fail(*, import_id: str) -> None:
    """Mark an import that cannot go on as failed; committed batches stay imported."""
    _finish(import_id, UserImport.Status.FAILED)


def _run_batch(import_id: str, batch: list[dict[str, Any]], start: int) -> None:
    """Import one batch and record the progress, all in one transaction.

    Locks: the UserImport row (SELECT … FOR UPDATE), so two runs of one import take turns.
    """
    with transaction.atomic():
        job = UserImport.objects.select_for_update().get(pk=import_id)
        if job.processed > start:
            return
        result = Counter(job.result)
        organisations = _organisations_for_run(batch, job)
        facts = _facts(batch, organisations)
        for row in batch:
            if not effect_once(f"user-import:{job.pk}:{row['line']}"):
                continue
            outcome = _outcome(
                {**row, "errors": list(row["errors"])},
                facts,
                create_organisations=False,
            )
            _apply(row, outcome, job, facts)
            result[outcome] += 1
        job.processed = start + len(batch)
        job.result = dict(result)
        job.save(update_fields=["processed", "result"])


def _organisations_for_run(batch: list[dict[str, Any]], job: UserImport) -> dict[str, Organisation]:
    """Find the batch's organisations, creating the missing ones when the admin asked for it."""
    wanted = {row["organisation"] for row in batch if row["organisation"] and not row["errors"]}
    found = _find_organisations(wanted)
    if not job.create_organisations:
        return found
    for name in sorted(wanted - set(found)):
        if len(name) > ORGANISATION_NAME_MAX:
            continue
        organisation = Organisation.objects.create(name=name, slug=_free_slug(name))
        audit.record(
            "organisation.created",
            actor=job.created_by,
            target=organisation,
            data={"source": "users.import", "import": str(job.pk)},
        )
        found[name] = organisation
    return found


def _free_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _apply(row: dict[str, Any], outcome: str, job: UserImport, facts: _Facts) -> None:
    organisation = facts.organisations.get(row["organisation"])
    if outcome == ADD_MEMBERSHIP and organisation is not None:
        membership = Membership.objects.create(
            user_id=facts.users[row["email"]], organisation=organisation, role=row["role"]
        )
        audit.record(
            "organisation.member.added",
            actor=job.created_by,
            target=membership,
            data={"organisation": organisation.slug, "role": row["role"], "source": "users.import"},
        )
    elif outcome == INVITE:
        invitations.invite(
            email=row["email"],
            name=row["name"],
            organisation=organisation,
            role=row["role"],
            language=row["language"],
            invited_by=job.created_by,
            brand_name=job.brand_name,
        )


def _finish(import_id: str, status: str) -> dict[str, int]:
    """Close the import once: the audit event and the admin's summary mail go with it."""
    with transaction.atomic():
        job = UserImport.objects.select_for_update().select_related("created_by").get(pk=import_id)
        if job.status in {UserImport.Status.FINISHED, UserImport.Status.FAILED}:
            return job.result
        job.status = status
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        audit.record(
            "users.import.finished",
            actor=job.created_by,
            target=job,
            data={
                "status": status,
                "rows": len(job.rows),
                "processed": job.processed,
                **job.result,
            },
        )
        enqueue_mail(_summary_mail(job), idempotency_key=f"user-import:{job.pk}:summary")
    return job.result


def _summary_mail(job: UserImport) -> EmailMultiAlternatives:
    context = {
        "job": job,
        "counts": {outcome: job.result.get(outcome, 0) for outcome in OUTCOMES},
        "rows": len(job.rows),
        "failed": job.status == UserImport.Status.FAILED,
        "url": settings.SITE_URL + reverse("admin:accounts_user_import_status", args=[job.pk]),
    }
    with translation.override(job.created_by.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/user_import_subject.txt", context).strip()
        body = render_to_string("accounts/email/user_import_message.txt", context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[job.created_by.email])


def row_messages(row: dict[str, Any]) -> list[str]:
    """Return what is wrong with a stored row, in the active language."""
    return [
        str(csv_import.ROW_ERRORS[code]) % {"line": row.get("duplicate_of")}
        if code == "duplicate_email"
        else str(csv_import.ROW_ERRORS[code])
        for code in row["errors"]
    ]
