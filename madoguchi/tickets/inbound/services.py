"""What a received mail becomes: a request, a reply, an ignored auto-reply or quarantine (R38).

inbound_process() never raises for a bad message: whatever goes wrong while reading or applying
it puts the message in quarantine, with its raw bytes kept and the admins told. The stored row
is locked and its status checked in the same transaction as the effect, so a message processed
twice (a redelivery, an IMAP re-poll, a retry after a crash) has one effect (F17).
"""

import logging
import re
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.core import audit
from madoguchi.core import uploads as attachments
from madoguchi.core.errors import DomainError
from madoguchi.tickets import quotas, services
from madoguchi.tickets.inbound import notices, routing
from madoguchi.tickets.inbound.loops import automatic_reason
from madoguchi.tickets.inbound.parse import ParsedMail, parse
from madoguchi.tickets.inbound.quoting import strip_reply
from madoguchi.tickets.inbound.storage import inbound_raw, inbound_store
from madoguchi.tickets.models import BrandMailbox, InboundMail, Message, Ticket

logger = logging.getLogger("madoguchi.inbound")

Status = InboundMail.Status
# A message whose processing stopped this often (the process died each time) is quarantined.
MAX_ATTEMPTS = 3
# RECEIVED rows older than this were left by a receiver that stopped; the sweeper takes them.
PENDING_GRACE = timedelta(minutes=2)

PROCESSING_FAILED = "processing_failed"
NO_SENDER = "no_sender"
UNKNOWN_SENDER = "unknown_sender"
SENDER_INACTIVE = "sender_inactive"
RATE_LIMITED = "rate_limited"
UNREADABLE = "unreadable"
TOO_LARGE = "too_large"
# An image of the mail named in its text: ![alt](cid:…), as htmltext writes it.
_IMAGE_CONTENT_ID = re.compile(r"\]\(cid:(?P<id>[^\s()<>\[\]]{1,250})\)", re.IGNORECASE)
# People copied in from one mail at most; a mail to a whole mailing list copies in nobody more.
COPIED_MAX = 20


@dataclass
class Outcome:
    status: str
    reason: str = ""
    detail: str = ""
    ticket: Ticket | None = None
    message: Message | None = None


def inbound_receive(
    raw: bytes, *, source: str, envelope_from: str = "", envelope_to: tuple[str, ...] = ()
) -> InboundMail:
    """Store a received message, then process it: what every receiver calls.

    Raises only if the message could not be stored (the receiver must then answer with a
    temporary failure). Once stored, a failure while processing is logged and leaves the row
    for the sweeper (inbound_process_pending) or quarantines it: the message is never lost.
    """
    mail, created = inbound_store(
        raw, source=source, envelope_from=envelope_from, envelope_to=envelope_to
    )
    if not created:
        logger.info("Inbound mail %s was delivered again; kept once", mail.pk)
        return mail
    try:
        return inbound_process(mail.pk)
    except Exception:
        logger.exception("Inbound mail %s was stored but not processed yet", mail.pk)
        return mail


def inbound_quarantine_oversized(
    head: bytes, *, size: int, limit: int, source: str, where: str = ""
) -> InboundMail:
    """Keep what may be kept of a message over the size cap (its header) in quarantine.

    The message itself is not fetched, so it cannot fill the disk; where says where the whole
    message stays (an IMAP folder and UID). The row is stored already quarantined, in one
    transaction, so the sweeper never mistakes the header for a whole mail. A redelivery (the
    same header) finds its row.
    """
    detail = f"{size} bytes, over the limit of {limit} bytes; only the header is kept"
    detail += f"; the whole message stays in {where}" if where else ""
    with transaction.atomic():
        mail, created = inbound_store(head, source=source)
        if not created:
            return mail
        mail.size = size
        mail.save(update_fields=["size"])
        _record(mail, Outcome(Status.QUARANTINED, TOO_LARGE, detail))
    return mail


def inbound_process(mail_id: int, *, trusted: bool = False) -> InboundMail:
    """Turn a stored message into a request or a reply, or ignore or quarantine it.

    trusted is an admin's release from quarantine: the sender policies (unknown senders, the rate
    guard, auto-reply detection) no longer hold the message back. Locks the InboundMail row, and
    the request row when the mail is a reply.
    """
    attempts = _count_attempt(mail_id)
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail_id)
        # Only the header of an oversized message was kept: nothing to make a request of.
        releasable = trusted and mail.status in {Status.QUARANTINED, Status.IGNORED}
        releasable = releasable and mail.reason != TOO_LARGE
        if mail.status != Status.RECEIVED and not releasable:
            return mail
        if attempts > MAX_ATTEMPTS and not trusted:
            outcome = Outcome(Status.QUARANTINED, PROCESSING_FAILED, "processing kept stopping")
        else:
            outcome = _outcome_or_quarantine(mail, trusted=trusted)
        _record(mail, outcome)
    return mail


def inbound_process_pending(now: datetime | None = None) -> int:
    """Process the messages a receiver stored but did not finish (it stopped); return how many."""
    cutoff = (now or timezone.now()) - PENDING_GRACE
    pending = InboundMail.objects.filter(status=Status.RECEIVED, received_at__lte=cutoff)
    ids = list(pending.order_by("received_at").values_list("pk", flat=True)[:100])
    for mail_id in ids:
        inbound_process(mail_id)
    return len(ids)


def inbound_release(mail: InboundMail, *, by: User) -> InboundMail:
    """An admin sends a quarantined (or ignored) message through processing again, trusted."""
    audit.record("inbound_mail.released", actor=by, target=mail, data={"reason": mail.reason})
    return inbound_process(mail.pk, trusted=True)


def inbound_delete(mail: InboundMail, *, by: User) -> None:
    """Delete a received message and its raw bytes for good."""
    audit.record("inbound_mail.deleted", actor=by, target=mail, data={"reason": mail.reason})
    name = mail.raw.name
    mail.delete()
    if name:
        transaction.on_commit(lambda: mail.raw.storage.delete(name))


def _count_attempt(mail_id: int) -> int:
    with transaction.atomic():
        InboundMail.objects.filter(pk=mail_id).update(attempts=F("attempts") + 1)
    return InboundMail.objects.values_list("attempts", flat=True).get(pk=mail_id)


def _outcome_or_quarantine(mail: InboundMail, *, trusted: bool) -> Outcome:
    try:
        with transaction.atomic():
            return _outcome(mail, trusted=trusted)
    except Exception as error:
        # Any failure, even a bug of ours, keeps the mail (R38): quarantine with the reason.
        logger.exception("Inbound mail %s could not be processed", mail.pk)
        detail = "".join(traceback.format_exception(error, limit=8))[-4000:]
        return Outcome(Status.QUARANTINED, PROCESSING_FAILED, detail)


def _outcome(mail: InboundMail, *, trusted: bool) -> Outcome:
    parsed = parse(inbound_raw(mail))
    mail.sender = parsed.sender or mail.sender
    if not parsed.sender:
        return Outcome(Status.QUARANTINED, NO_SENDER, "\n".join(parsed.problems))
    if parsed.unreadable:
        return Outcome(Status.QUARANTINED, UNREADABLE, "\n".join(parsed.problems))
    if not trusted:
        held = _held_back(mail, parsed)
        if held is not None:
            return held
    recipients = routing.recipients_of(mail, parsed)
    ticket = routing.thread_target(parsed, recipients)
    sender = routing.user_for(parsed.sender)
    writable = ticket is not None and ticket.status != Ticket.Status.CLOSED
    if writable and routing.may_write_on(ticket, sender):
        return _reply(ticket, sender, parsed)
    # Anyone else, or a reply to a closed request, opens a new request.
    if ticket is not None:
        brand, mailbox = ticket.brand, BrandMailbox.objects.filter(brand=ticket.brand).first()
    else:
        brand, mailbox = routing.brand_for(recipients)
    return _new_request(brand, mailbox, parsed, sender, trusted=trusted)


def _held_back(mail: InboundMail, parsed: ParsedMail) -> Outcome | None:
    """Ignore automatic mail and quarantine a sender who writes too often; else None."""
    # "<>" is the null sender of a bounce; blank is unknown (IMAP), then Return-Path decides.
    envelope_from = mail.envelope_from or None
    automatic = automatic_reason(
        parsed,
        envelope_from=envelope_from,
        our_domain=routing.our_domain(),
        our_addresses=routing.our_addresses(),
    )
    if automatic:
        return Outcome(Status.IGNORED, automatic)
    window_start = timezone.now() - timedelta(hours=1)
    recent = (
        InboundMail.objects.filter(sender=parsed.sender, received_at__gte=window_start)
        .exclude(pk=mail.pk)
        .count()
    )
    if recent >= settings.INBOUND_SENDER_LIMIT_PER_HOUR:
        return Outcome(Status.QUARANTINED, RATE_LIMITED, f"{recent} messages in the last hour")
    return None


def _reply(ticket: Ticket, author: User, parsed: ParsedMail) -> Outcome:
    files = _files(parsed, author)
    body = _body(_text(parsed, files), files.notes, author)
    reply = services.NewReply(author=author, body=body, via=Ticket.Via.EMAIL, files=files.uploads)
    message = services.reply_add(ticket, reply)
    detail = _copy_in(ticket, author, parsed)
    return Outcome(Status.REPLY, detail=detail, ticket=ticket, message=message)


def _copy_in(ticket: Ticket, sender: User, parsed: ParsedMail) -> str:
    """Make the people the mail was also sent to followers, as the web page's CC would.

    Only the requester and agents copy people in, and only the requester's colleagues can be:
    anyone else named in To or Cc is left out (said in the return value, kept on the mail's
    row), so a stranger on a thread never gets to read the request. After the reply, so that
    the people newly copied in, who had the mail itself, do not get our copy of it too.
    """
    if not (sender.is_staff or sender.pk == ticket.requester_id):
        return ""
    ours = routing.our_addresses()
    skip = {sender.email.lower(), ticket.requester.email.lower()}
    addressed = [
        address
        for address in dict.fromkeys(parsed.addressed)
        if routing.without_tag(address) not in ours and address not in skip
    ]
    left_out = addressed[COPIED_MAX:]
    for address in addressed[:COPIED_MAX]:
        if not _copied(ticket, sender, routing.user_for(address)):
            left_out.append(address)
    if not left_out:
        return ""
    reason = f"not the requester's colleague, or past {COPIED_MAX}"
    return f"Not copied in ({reason}): {', '.join(left_out)}"


def _copied(ticket: Ticket, sender: User, person: User | None) -> bool:
    if person is None:
        return False
    try:
        services.follower_add(ticket, by=sender, follower=person)
    except DomainError:
        return False
    return True


def _new_request(
    brand: Brand,
    mailbox: BrandMailbox | None,
    parsed: ParsedMail,
    sender: User | None,
    *,
    trusted: bool,
) -> Outcome:
    if sender is not None and not (sender.is_active and sender.approval == User.Approval.APPROVED):
        return Outcome(Status.QUARANTINED, SENDER_INACTIVE)
    if sender is None:
        if not trusted and _keeps_unknown_senders(brand, mailbox):
            return Outcome(Status.QUARANTINED, UNKNOWN_SENDER, f"brand: {brand}")
        sender = _customer_create(parsed)
    files = _files(parsed, sender)
    new = services.NewRequest(
        brand=brand,
        requester=sender,
        subject=(parsed.subject or _("(no subject)"))[:200],
        description=_body(_text(parsed, files), files.notes, sender),
        via=Ticket.Via.EMAIL,
        files=files.uploads,
    )
    ticket = services.ticket_create(new)
    first = ticket.messages.order_by("pk").first()
    detail = _copy_in(ticket, sender, parsed)
    return Outcome(Status.TICKET, detail=detail, ticket=ticket, message=first)


def _keeps_unknown_senders(brand: Brand, mailbox: BrandMailbox | None) -> bool:
    if brand.access_mode != Brand.AccessMode.PUBLIC:
        # Private and approval-only brands admit nobody by mail alone.
        return True
    return mailbox is not None and mailbox.unknown_senders == BrandMailbox.UnknownSenders.QUARANTINE


def _customer_create(parsed: ParsedMail) -> User:
    """An account for a new customer who wrote in; they sign in later with a code by mail."""
    user = User.objects.create_user(parsed.sender, None, name=parsed.sender_name[:150])
    # Unverified: a From header proves nothing; signing in by code or reset will verify it.
    EmailAddress.objects.create(user=user, email=parsed.sender, verified=False, primary=True)
    return user


@dataclass
class MailFiles:
    """The attachments of a mail we keep, and a note for each one we do not."""

    uploads: list[SimpleUploadedFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The kept files' names by the Content-ID the mail's HTML shows them with.
    by_content_id: dict[str, str] = field(default_factory=dict)

    def keep(self, upload: SimpleUploadedFile, content_id: str) -> None:
        # Unique names: a thread's image names its file (two inline images are often image.png).
        taken = {kept.name for kept in self.uploads}
        stem, dot, suffix = (
            upload.name.rpartition(".") if "." in upload.name else (upload.name, "", "")
        )
        # Room for "-N", so that the stored name (attachments.clean_name) is still this one.
        stem = stem[: attachments.NAME_MAX - len(dot + suffix) - 4]
        number = 1
        while upload.name in taken:
            number += 1
            upload.name = f"{stem}-{number}{dot}{suffix}"
        self.uploads.append(upload)
        if content_id:
            self.by_content_id[content_id.lower()] = upload.name


def _files(parsed: ParsedMail, author: User) -> MailFiles:
    """The attachments we keep, and a note for each one we do not (it is named in the thread)."""
    files = MailFiles()
    notes = files.notes
    limit = settings.ATTACHMENT_MAX_BYTES
    room = quotas.tightest_room(author)
    left = room.left if room is not None else None
    with translation.override(author.language or settings.LANGUAGE_CODE):
        for part in parsed.parts:
            name = _storable_name(part.name)
            if part.payload is None or part.size > limit:
                notes.append(
                    _("%(name)s was not attached: it is larger than %(limit)s.")
                    % {"name": name, "limit": filesizeformat(limit)}
                )
                continue
            if len(files.uploads) >= settings.DATA_UPLOAD_MAX_NUMBER_FILES:
                notes.append(
                    _("%(name)s was not attached: the mail had too many files.") % {"name": name}
                )
                continue
            upload = SimpleUploadedFile(name, part.payload, part.content_type)
            try:
                checked = attachments.check(upload)
            except attachments.AttachmentRefusedError as refused:
                notes.append(str(refused))
                continue
            if left is not None and checked.size > left:
                # The mail still lands; the file over the quota is named, as a refused one is.
                notes.append(
                    _("%(name)s was not attached: the space for files (%(quota)s) is full.")
                    % {"name": name, "quota": filesizeformat(room.quota)}
                )
                continue
            left = left - checked.size if left is not None else None
            files.keep(upload, part.content_id)
    return files


def _text(parsed: ParsedMail, files: MailFiles) -> str:
    """What the person wrote, with the images of the mail (cid:) named by their files."""

    def named(match: re.Match[str]) -> str:
        name = files.by_content_id.get(match["id"].lower())
        return f"]({quote(name)})" if name else match[0]

    return _IMAGE_CONTENT_ID.sub(named, strip_reply(parsed.text))


def _storable_name(name: str) -> str:
    """The attachment's clean name, or "file" when nothing of it can name a file on disk."""
    name = attachments.clean_name(name)
    try:
        get_valid_filename(name)
    except SuspiciousFileOperation:
        return "file"
    return name


def _body(text: str, notes: list[str], author: User) -> str:
    with translation.override(author.language or settings.LANGUAGE_CODE):
        body = text.strip() or _("(This mail had no text.)")
    if notes:
        body += "\n\n" + "\n".join(f"- {note}" for note in notes)
    return body


def _record(mail: InboundMail, outcome: Outcome) -> None:
    mail.status = outcome.status
    mail.reason = outcome.reason
    mail.detail = outcome.detail
    mail.ticket = outcome.ticket or mail.ticket
    mail.created_message = outcome.message or mail.created_message
    mail.processed_at = timezone.now()
    mail.save(
        update_fields=[
            "status",
            "reason",
            "detail",
            "ticket",
            "created_message",
            "processed_at",
            "sender",
        ]
    )
    if outcome.status == Status.QUARANTINED:
        logger.warning("Inbound mail %s quarantined: %s", mail.pk, outcome.reason)
        notices.quarantine_notice_enqueue()
