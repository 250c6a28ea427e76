"""Every write to requests: creating them, replying, and the changes agents make."""

import errno
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.accounts import selectors as accounts_selectors
from madoguchi.accounts.models import Department, User, private_storage
from madoguchi.branding.models import Brand
from madoguchi.core import audit, markdown
from madoguchi.core import uploads as attachments
from madoguchi.core.errors import DomainError
from madoguchi.core.later_mail import LaterMail
from madoguchi.core.mail import enqueue_later, mails_together
from madoguchi.tickets import filestore, mail, notices, quotas, routing, sla, thread_images
from madoguchi.tickets.models import (
    Attachment,
    Macro,
    Message,
    Priority,
    RequestType,
    SatisfactionRating,
    Tag,
    Ticket,
)


class RequestClosedError(DomainError):
    pass


class StorageFullError(DomainError):
    """The server's disk is full: nothing was kept, and the person may try again later."""


@dataclass(frozen=True)
class NewRequest:
    brand: Brand
    requester: User
    subject: str
    description: str
    request_type: RequestType | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    via: str = Ticket.Via.WEB
    # Files of the form's file fields, by field key.
    field_files: dict[str, UploadedFile] = field(default_factory=dict)
    # Files of the first message (a mail's attachments).
    files: Sequence[UploadedFile] = ()


def ticket_create(new: NewRequest) -> Ticket:
    """Open a request with its first message and queue the confirmation mail, in one transaction.

    A request agents may see at once is routed in its group (locking the group's row) and its
    group is told; one waiting for its organisation's approval asks the admins instead. With
    files, locks the requester's and their organisation's rows (the upload quota).
    """
    request_type = new.request_type
    organisation_id = accounts_selectors.request_organisation_id(new.requester)
    needs_approval = bool(
        request_type and request_type.needs_organisation_approval and organisation_id
    )
    checked = {key: attachments.check(upload) for key, upload in new.field_files.items()}
    checked_files = [attachments.check(upload) for upload in new.files]
    ticket = Ticket(
        brand=new.brand,
        request_type=request_type,
        subject=new.subject.strip(),
        requester=new.requester,
        organisation_id=organisation_id,
        department=request_type.department if request_type else None,
        priority=request_type.default_priority if request_type else Priority.NORMAL,
        approval=Ticket.Approval.PENDING if needs_approval else Ticket.Approval.NOT_NEEDED,
        answers=new.answers,
        via=new.via,
    )
    # What only reads is done before the transaction: on SQLite it holds the database's one
    # write lock, so every moment in it is a moment all other writers wait.
    policy = None if needs_approval else sla.policy_for(ticket)
    turn = None if needs_approval else routing.turn_take(ticket.department)
    html = markdown.render(new.description, images={})
    with files_kept_only_on_success() as stored, transaction.atomic(), mails_together():
        _quota_check(new.requester, [*checked.values(), *checked_files])
        ticket.save(force_insert=True)
        first = _message_add(
            ticket, author=new.requester, body=new.description, via=new.via, html=html
        )
        # A request waiting for its organisation's approval is routed once approved.
        if not needs_approval:
            sla.clock_start(ticket, policy)
            _route_and_tell(ticket, reason="created", turn=turn)
        for key, upload in new.field_files.items():
            _attach(
                ticket, None, upload, checked[key], by=new.requester, field_key=key, stored=stored
            )
        files = [
            _attach(ticket, first, upload, found, by=new.requester, stored=stored)
            for upload, found in zip(new.files, checked_files, strict=True)
        ]
        _show_images(first, files)
        enqueue_later(
            [LaterMail(mail.confirmation, {"ticket": ticket}, key=f"ticket-created-{ticket.pk}")]
        )
        if needs_approval:
            notices.approval_asked(ticket)
    return ticket


def _route_and_tell(
    ticket: Ticket,
    *,
    reason: str,
    actor: User | None = None,
    turn: routing.Turn | None = None,
) -> None:
    """Route a request that agents may now see and tell its group (and its new assignee)."""
    if routing.ticket_route(ticket, reason=reason, actor=actor, turn=turn):
        ticket.save(update_fields=["assignee", "status"])
        notices.assigned(ticket, by=actor)
    notices.arrived_in_group(ticket)


@dataclass(frozen=True)
class NewReply:
    author: User
    body: str
    internal: bool = False
    status: str | None = None
    via: str = Ticket.Via.WEB
    files: Sequence[UploadedFile] = ()


def reply_add(ticket: Ticket, reply: NewReply) -> Message:
    """Add a reply or an internal note and mail it to the people who should hear it.

    The customer side replying reopens a pending or solved request. An agent's public reply
    leaves the request pending (waiting on the customer) unless the agent chooses a status.
    Locks the request row so that two replies cannot both decide the status, and with files the
    author's and their organisation's rows (the upload quota).
    """
    if reply.internal and not reply.author.is_staff:
        raise DomainError(_("Only agents can write internal notes."))
    checked = [attachments.check(upload) for upload in reply.files]
    html = markdown.render(reply.body, images={})
    with files_kept_only_on_success() as stored, transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Ticket.Status.CLOSED:
            raise RequestClosedError(
                _("This request is closed. To follow up, submit a new request.")
            )
        _quota_check(reply.author, checked)
        message = _message_add(
            locked,
            author=reply.author,
            body=reply.body,
            via=reply.via,
            internal=reply.internal,
            html=html,
        )
        files = [
            _attach(locked, message, upload, found, by=reply.author, stored=stored)
            for upload, found in zip(reply.files, checked, strict=True)
        ]
        _show_images(message, files)
        before = locked.status
        _status_after_reply(locked, message, reply.status)
        locked.updated_at = message.created_at
        locked.save(update_fields=["status", "solved_at", "first_response_at", "updated_at"])
        sla.status_changed(locked, before=before, at=message.created_at)
        if not message.is_internal:
            sla.reply_recorded(locked, by_agent=reply.author.is_staff, at=message.created_at)
        notices.reply_added(message)
    ticket.refresh_from_db()
    return message


def _status_after_reply(ticket: Ticket, message: Message, chosen: str | None) -> None:
    author = message.author
    if not author.is_staff:
        if ticket.status in {Ticket.Status.PENDING, Ticket.Status.SOLVED}:
            _set_status(ticket, Ticket.Status.OPEN)
        return
    if not message.is_internal and ticket.first_response_at is None:
        ticket.first_response_at = message.created_at
    if chosen:
        _set_status(ticket, chosen)
    elif not message.is_internal:
        _set_status(ticket, Ticket.Status.PENDING)


def _set_status(ticket: Ticket, status: str) -> None:
    if status not in Ticket.Status.values:
        raise DomainError(_("Choose a valid status."))
    if status == Ticket.Status.SOLVED and ticket.status != Ticket.Status.SOLVED:
        ticket.solved_at = timezone.now()
    elif status not in Ticket.DONE:
        ticket.solved_at = None
    ticket.status = status


@dataclass(frozen=True)
class TicketChanges:
    """What an agent changes on a request; None leaves a value as it is."""

    status: str | None = None
    priority: str | None = None
    assignee: User | None = None
    unassign: bool = False
    department: Department | None = None
    tags: list[str] | None = None
    # Tags added to those already there (a macro's, a bulk change's), unlike tags, which
    # replaces them all; and tags taken off, leaving the others.
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


def ticket_update(ticket: Ticket, *, actor: User, changes: TicketChanges) -> Ticket:
    """Apply an agent's changes to one request. Locks the request row, then its new group's.

    Moving the request to another group re-routes it there, unless the agent also chose an
    assignee or the assignee belongs to the new group.
    """
    _check_changes(actor, changes)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        was_solved = locked.status == Ticket.Status.SOLVED
        sla_before = (
            locked.status,
            locked.priority,
            locked.organisation_id,
            locked.request_type_id,
        )
        before = (locked.department_id, locked.assignee_id)
        _apply_changes(locked, changes)
        moved = locked.department_id != before[0]
        if moved and locked.assignee_id == before[1]:
            _reroute(locked, actor=actor)
        locked.updated_at = timezone.now()
        locked.save()
        _sla_follow(locked, sla_before)
        if changes.tags is not None:
            locked.tags.set(_tags(changes.tags))
        if changes.add_tags:
            locked.tags.add(*_tags(changes.add_tags))
        if changes.remove_tags:
            locked.tags.remove(*locked.tags.filter(name__in=_tag_names(changes.remove_tags)))
        _tell_changes(locked, before=before, was_solved=was_solved, actor=actor)
    ticket.refresh_from_db()
    return ticket


def _sla_follow(ticket: Ticket, before: tuple[str, str, int | None, int | None]) -> None:
    """Move the SLA clock after a change: the policy may differ, the status may pause it."""
    status, *matched_on = before
    if matched_on != [ticket.priority, ticket.organisation_id, ticket.request_type_id]:
        sla.policy_recompute(ticket)
    sla.status_changed(ticket, before=status, at=ticket.updated_at)


def reply_add_with_changes(ticket: Ticket, reply: NewReply, changes: TicketChanges) -> Message:
    """Send an agent's reply together with the changes staged beside it (a macro's), all or none."""
    with transaction.atomic():
        if changes != TicketChanges():
            ticket_update(ticket, actor=reply.author, changes=changes)
        return reply_add(ticket, reply)


def _tell_changes(
    ticket: Ticket, *, before: tuple[int | None, int | None], was_solved: bool, actor: User
) -> None:
    if ticket.status == Ticket.Status.SOLVED and not was_solved:
        notices.solved(ticket)
    if ticket.assignee_id != before[1]:
        notices.assigned(ticket, by=actor)
    if ticket.department_id != before[0]:
        notices.arrived_in_group(ticket)


def _reroute(ticket: Ticket, *, actor: User) -> None:
    """Give a request moved to another group to an agent of that group."""
    department = ticket.department
    if ticket.assignee_id and department.members.filter(pk=ticket.assignee_id).exists():
        return
    # The old assignee is not of the new group: the work is the new group's to take.
    ticket.assignee = None
    routing.ticket_route(ticket, reason="group_changed", actor=actor)


def _check_changes(actor: User, changes: TicketChanges) -> None:
    if not actor.is_staff:
        raise DomainError(_("Only agents can change requests."))
    assignee = changes.assignee
    if assignee is not None and not (assignee.is_staff and assignee.is_active):
        raise DomainError(_("Requests can only be assigned to active agents."))
    if changes.priority is not None and changes.priority not in Priority.values:
        raise DomainError(_("Choose a valid priority."))


def _apply_changes(ticket: Ticket, changes: TicketChanges) -> None:
    if changes.status is not None:
        _set_status(ticket, changes.status)
    if changes.priority is not None:
        ticket.priority = changes.priority
    if changes.assignee is not None or changes.unassign:
        ticket.assignee = changes.assignee
    if changes.department is not None:
        ticket.department = changes.department
    # Someone took it: a new request is now being worked on.
    if ticket.status == Ticket.Status.NEW and ticket.assignee is not None:
        ticket.status = Ticket.Status.OPEN


def tickets_bulk_update(tickets: list[Ticket], *, actor: User, changes: TicketChanges) -> int:
    """Apply the same changes to several requests, all or none."""
    with transaction.atomic():
        for ticket in tickets:
            ticket_update(ticket, actor=actor, changes=changes)
    return len(tickets)


# An image the thread shows is fetched on every view of the page (no cache keeps private
# files): it is written to the audit log once an hour per person, not once per page view.
SHOWN_IMAGE_AUDIT_SECONDS = 3600


def attachment_download_record(found: Attachment, *, request: Any) -> None:
    """Write a download of a request's file to the audit log (R8: every download of a private
    document is; an image shown in the thread once an hour per viewer)."""
    if request.headers.get("Sec-Fetch-Dest") == "image":
        key = f"tickets:image-shown:{request.user.pk}:{found.pk}"
        if not cache.add(key, True, SHOWN_IMAGE_AUDIT_SECONDS):
            return
    audit.record(
        "ticket.attachment.downloaded",
        request=request,
        target=found,
        organisation=found.ticket.organisation,
        data={"ticket": found.ticket_id, "name": found.name},
    )


def approval_decide(ticket: Ticket, *, by: User, approve: bool) -> Ticket:
    """An admin of the request's organisation lets agents see it, or turns it down.

    A request turned down is closed. The requester hears the decision by mail. Locks the row.
    """
    if not accounts_selectors.administers(by, ticket.organisation):
        raise DomainError(_("Only an admin of the requester's organisation can decide."))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.approval != Ticket.Approval.PENDING:
            raise DomainError(_("This request is not waiting for approval."))
        locked.approval = Ticket.Approval.APPROVED if approve else Ticket.Approval.REJECTED
        if not approve:
            locked.status = Ticket.Status.CLOSED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["approval", "status", "updated_at"])
        if approve:
            sla.clock_start(locked, sla.policy_for(locked))
            if locked.assignee_id is None:
                _route_and_tell(locked, reason="approved", actor=by)
        notices.approval_decided(locked, by=by)
    ticket.refresh_from_db()
    return ticket


def follower_add(ticket: Ticket, *, by: User, follower: User) -> None:
    """Copy a colleague of the requester's organisation in on a request (CC)."""
    if not (by.is_staff or by.pk == ticket.requester_id):
        raise DomainError(_("Only the requester or an agent can copy people in."))
    colleagues = accounts_selectors.organisation_members_for(ticket.requester)
    if follower.pk == ticket.requester_id or not colleagues.filter(pk=follower.pk).exists():
        raise DomainError(_("Choose a colleague from the requester's organisation."))
    ticket.followers.add(follower)


def follower_remove(ticket: Ticket, *, by: User, follower: User) -> None:
    """Stop copying someone in; followers may also leave by themselves."""
    if not (by.is_staff or by.pk in {ticket.requester_id, follower.pk}):
        raise DomainError(_("Only the requester or an agent can remove people from a request."))
    ticket.followers.remove(follower)


def rating_give(ticket: Ticket, *, user: User, score: str, comment: str = "") -> SatisfactionRating:
    """Record or change the requester's rating of a solved or closed request."""
    if user.pk != ticket.requester_id:
        raise DomainError(_("Only the person who asked can rate the request."))
    if not ticket.is_done:
        raise DomainError(_("A request can be rated once it is solved."))
    if score not in SatisfactionRating.Score.values:
        raise DomainError(_("Choose good or bad."))
    rating, _created = SatisfactionRating.objects.update_or_create(
        ticket=ticket,
        defaults={
            "score": score,
            "comment": comment.strip(),
            "rated_by": user,
            "updated_at": timezone.now(),
        },
    )
    return rating


def tickets_close_solved(now: datetime | None = None) -> int:
    """Close the requests solved more than SOLVED_CLOSE_DAYS ago; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SOLVED_CLOSE_DAYS)
    solved = Ticket.objects.filter(status=Ticket.Status.SOLVED, solved_at__lte=cutoff)
    return solved.update(status=Ticket.Status.CLOSED)


def _tag_names(names: list[str]) -> list[str]:
    """Tags as stored: slugs of at most 50 characters (Unicode kept), each once."""
    return sorted({Tag.stored_name(name) for name in names} - {""})


def _tags(names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in _tag_names(names)]


def _message_add(  # noqa: PLR0913  (a message's parts)
    ticket: Ticket,
    *,
    author: User,
    body: str,
    via: str,
    internal: bool = False,
    html: str | None = None,
) -> Message:
    """Add a message; html is the body rendered already (before the caller's transaction)."""
    return Message.objects.create(
        ticket=ticket,
        author=author,
        body=body,
        body_html=markdown.render(body) if html is None else html,
        via=via,
        is_internal=internal,
    )


def _show_images(message: Message, files: list[Attachment]) -> None:
    """Show in the thread the images the message names by file name: ![shot](shot.png).

    Rendered again only then, inside the transaction, since the files' addresses exist only
    now; a message without images keeps the HTML rendered before it.
    """
    images = thread_images.images_of(files, thread_images.file_path)
    if images and "![" in message.body:
        message.body_html = markdown.render(message.body, images=images)
        message.save(update_fields=["body_html"])


@contextmanager
def files_kept_only_on_success() -> Iterator[list[str]]:
    """Yield a list to note stored file names in; if anything fails, delete them all.

    A full disk becomes StorageFullError, so the person gets a clear answer, not a crash.
    """
    stored: list[str] = []
    try:
        yield stored
    except BaseException as error:
        for name in stored:
            private_storage().delete(name)
        if isinstance(error, OSError) and error.errno in {errno.ENOSPC, errno.EDQUOT}:
            raise StorageFullError(
                _("The server has no room for files just now. Nothing was saved; try again later.")
            ) from error
        raise


def _quota_check(uploader: User, checked: list[attachments.Checked]) -> None:
    if checked:
        quotas.quota_check(uploader, sum(found.size for found in checked))


def _attach(  # noqa: PLR0913  (one file and where it belongs)
    ticket: Ticket,
    message: Message | None,
    upload: UploadedFile,
    checked: attachments.Checked,
    *,
    by: User,
    stored: list[str],
    field_key: str = "",
) -> Attachment:
    attachment = Attachment(
        ticket=ticket,
        message=message,
        field_key=field_key,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    incoming = filestore.incoming_key()
    # Noted before writing: a write that fails half-way leaves a file to remove too.
    stored.append(incoming)
    content = ContentFile(checked.content) if checked.content is not None else upload
    attachment.file.name = private_storage().save(incoming, content)
    attachment.save()
    # Robust: if the move fails, the request still succeeded and the sweeper moves it later.
    transaction.on_commit(
        lambda: _file_into_place(attachment.pk, attachment.file.name), robust=True
    )
    return attachment


def _file_into_place(pk: int, incoming: str) -> None:
    """Move a committed attachment's file out of incoming/ and name the new place in its row."""
    final = filestore.final_key(incoming)
    filestore.move(private_storage(), incoming, final)
    Attachment.objects.filter(pk=pk, file=incoming).update(file=final)


def attachments_sweep_incoming(now: datetime | None = None) -> int:
    """Finish or remove what interrupted requests left under incoming/; return the files swept."""
    stale = filestore.stale_incoming(now)
    kept = dict(Attachment.objects.filter(file__in=stale).values_list("file", "pk"))
    for key in stale:
        if key in kept:
            _file_into_place(kept[key], key)
        else:
            private_storage().delete(key)
    return len(stale)


class MergeNeedsConfirmationError(DomainError):
    """The requests belong to different organisations: the agent must say they mean it."""


def ticket_merge(
    source: Ticket,
    target: Ticket,
    *,
    actor: User,
    across_organisations: bool = False,
    request: Any = None,
) -> Ticket:
    """Merge a duplicate request into another, in one transaction; return the target.

    The source's conversation, files, tags and followers move to the target, so the customer
    reads the whole history there; the source's requester follows the target. The source keeps
    a public and an internal note, is closed, and points to the target (merged_into), which
    redirects its pages and its mail replies. Both requesters hear of it by mail.
    """
    if not actor.is_staff:
        raise DomainError(_("Only agents can merge requests."))
    if source.pk == target.pk:
        raise DomainError(_("A request cannot be merged into itself."))
    with transaction.atomic():
        # Both rows locked, in a fixed order so that two crossing merges cannot deadlock.
        locked = Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        rows = {ticket.pk: ticket for ticket in locked.order_by("pk")}
        source, target = rows[source.pk], rows[target.pk]
        _check_merge(source, target, across_organisations=across_organisations)
        _move_conversation(source, target)
        _merge_notes(source, target, actor=actor)
        now = timezone.now()
        before = source.status
        source.status, source.merged_into, source.updated_at = Ticket.Status.CLOSED, target, now
        source.save(update_fields=["status", "merged_into", "updated_at"])
        # Closed by the merge, the duplicate owes nothing more: its SLA clock stops here.
        sla.status_changed(source, before=before, at=now)
        target.updated_at = now
        target.save(update_fields=["updated_at"])
        audit.record(
            "ticket.merged",
            request=request,
            actor=actor,
            target=source,
            organisation=source.organisation,
            data={"source": source.pk, "target": target.pk},
        )
        notices.merged(source, target)
    return target


def _check_merge(source: Ticket, target: Ticket, *, across_organisations: bool) -> None:
    if source.merged_into_id is not None or source.status == Ticket.Status.CLOSED:
        raise DomainError(_("This request is closed, so it cannot be merged."))
    if target.merged_into_id is not None or target.status == Ticket.Status.CLOSED:
        raise DomainError(_("Choose a request that is not closed or merged."))
    if source.brand_id != target.brand_id:
        raise DomainError(_("Only requests of the same brand can be merged."))
    if source.organisation_id != target.organisation_id and not across_organisations:
        raise MergeNeedsConfirmationError(
            _(
                "The requests belong to different organisations. The requester of this request "
                "will see the other one. Confirm that you want to merge them."
            )
        )


def _move_conversation(source: Ticket, target: Ticket) -> None:
    Message.objects.filter(ticket=source).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    target.tags.add(*source.tags.all())
    followers = {*source.followers.all()}
    if source.requester_id != target.requester_id:
        followers.add(source.requester)
    target.followers.add(*[person for person in followers if person.pk != target.requester_id])


def _merge_notes(source: Ticket, target: Ticket, *, actor: User) -> None:
    numbers = {"source": source.number, "target": target.number}
    with translation.override(source.requester.language or settings.LANGUAGE_CODE):
        public = _("This request was merged into %(target)s. The conversation continues there.")
    _message_add(source, author=actor, body=public % numbers, via=Ticket.Via.WEB)
    internal = _("Merged into %(target)s by %(agent)s.") % {**numbers, "agent": actor}
    _message_add(source, author=actor, body=internal, via=Ticket.Via.WEB, internal=True)
    moved = _("%(source)s was merged into this request by %(agent)s; its messages are here now.")
    _message_add(
        target,
        author=actor,
        body=moved % {**numbers, "agent": actor},
        via=Ticket.Via.WEB,
        internal=True,
    )


@dataclass(frozen=True)
class MacroFields:
    name: str
    body: str
    set_status: str = ""
    set_priority: str = ""
    add_tags: str = ""
    assign_to_me: bool = False


def personal_macro_save(agent: User, fields: MacroFields, macro: Macro | None = None) -> Macro:
    """Create or change one of the agent's own macros (shared ones are kept in the admin)."""
    if not agent.is_staff:
        raise DomainError(_("Only agents can keep macros."))
    if macro is not None and macro.owner_id != agent.pk:
        raise DomainError(_("You can only change your own macros."))
    macro = macro or Macro(owner=agent)
    for name, value in vars(fields).items():
        setattr(macro, name, value)
    macro.full_clean()
    macro.save()
    return macro


def personal_macro_delete(agent: User, macro: Macro) -> None:
    if macro.owner_id != agent.pk:
        raise DomainError(_("You can only delete your own macros."))
    macro.delete()
