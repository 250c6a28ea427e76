"""Fill django-helpdesk's schema with the rows Madoguchi is benchmarked on (same size, same rows).

Run by bench/run.py with the peer's virtualenv, after `migrate`:

    DJANGO_SETTINGS_MODULE=settings DATABASE_URL=<helpdesk db> MADOGUCHI_DATABASE_URL=<bench db> \\
        bench/results/peer-venv/bin/python bench/peer/seed.py

It reads the seeded Madoguchi bench database (the `madoguchi` alias) and writes the peer's rows
with the same primary keys, so a scenario's request or person is the same on both sides:

- users -> auth_user (username = e-mail) with their helpdesk UserSettings;
- request types -> Queue (one per type, slug `rt<pk>`);
- requests -> Ticket (description = the first message; statuses and priorities mapped below);
- messages -> FollowUp (internal notes are non-public follow-ups);
- attachments -> FollowUpAttachment (files on the request form go on its first follow-up);
- knowledge-base categories -> KBCategory (slug `c<pk>`, all public: the peer has no other
  visibility), published articles with a section -> KBItem in their section's category, in the
  article's source language (its title, Markdown body as the answer, hand order).

Tags, followers and organisations have no place in the peer's schema and are left out.
Rows are streamed in batches: COPY on PostgreSQL, executemany on SQLite.
"""

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.conf import settings  # noqa: E402 - after django.setup()
from django.core.management.color import no_style  # noqa: E402
from django.db import connections, transaction  # noqa: E402

BATCH = 10_000
# Madoguchi status -> (helpdesk status, on hold); helpdesk: 1 open, 2 reopened, 3 resolved, 4 closed
STATUSES = {
    "new": (1, False),
    "open": (1, False),
    "pending": (2, False),
    "on_hold": (1, True),
    "solved": (3, False),
    "closed": (4, False),
}
# helpdesk: 1 critical, 2 high, 3 normal, 4 low.
PRIORITIES = {"urgent": 1, "high": 2, "normal": 3, "low": 4}

source = connections["madoguchi"]
target = connections["default"]


def rows(sql: str) -> Iterator[Sequence[object]]:
    """Stream a query's rows from the Madoguchi database (server-side cursor on PostgreSQL)."""
    with source.chunked_cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            yield from batch


def insert(table: str, columns: Sequence[str], data: Iterator[Sequence[object]]) -> int:
    """Insert rows in batches; return how many."""
    quoted = target.ops.quote_name(table)
    names = ", ".join(target.ops.quote_name(column) for column in columns)  # KBItem has "order"
    count = 0
    with target.cursor() as cursor:
        if target.vendor == "postgresql":
            with cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        statement = f"INSERT INTO {quoted} ({names}) VALUES ({marks})"  # noqa: S608 - constants
        batch: list[Sequence[object]] = []
        for row in data:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch = []
        cursor.executemany(statement, batch)
        return count + len(batch)


def users() -> Iterator[Sequence[object]]:
    for pk, email, name, password, is_staff, is_superuser, is_active, joined in rows(
        "SELECT id, email, name, password, is_staff, is_superuser, is_active, date_joined "
        "FROM accounts_user ORDER BY id"
    ):
        yield (
            pk,
            email,
            email,
            name[:150],
            "",
            password,
            is_staff,
            is_superuser,
            is_active,
            joined,
        )


def user_settings() -> Iterator[Sequence[object]]:
    for (pk,) in rows("SELECT id FROM accounts_user ORDER BY id"):
        yield (pk, pk, True, True, False, 25, True, "collapsed")


def queues() -> list[object]:
    from helpdesk.models import Queue

    return [
        Queue(pk=pk, title=(name_en or name_ja)[:100], slug=f"rt{pk}", allow_public_submission=True)
        for pk, name_en, name_ja in rows(
            "SELECT id, name_en, name_ja FROM tickets_requesttype ORDER BY id"
        )
    ]


def tickets(fallback_queue: int) -> Iterator[Sequence[object]]:
    for (
        pk,
        subject,
        request_type,
        status,
        priority,
        email,
        assignee,
        created,
        updated,
        first,
    ) in rows(
        "SELECT t.id, t.subject, t.request_type_id, t.status, t.priority, u.email, t.assignee_id, "
        "t.created_at, t.updated_at, (SELECT m.body FROM tickets_message m "
        "WHERE m.ticket_id = t.id ORDER BY m.created_at, m.id LIMIT 1) "
        "FROM tickets_ticket t JOIN accounts_user u ON u.id = t.requester_id ORDER BY t.id"
    ):
        state, on_hold = STATUSES[status]
        yield (
            pk, subject, request_type or fallback_queue, created, updated, email, assignee,
            state, on_hold, first or "", PRIORITIES[priority], f"{pk:032x}",
        )  # fmt: skip


def followups() -> Iterator[Sequence[object]]:
    previous = None
    for pk, ticket, author, body, internal, sent in rows(
        "SELECT id, ticket_id, author_id, body, is_internal, created_at FROM tickets_message "
        "ORDER BY ticket_id, created_at, id"
    ):
        title = "Ticket Opened" if ticket != previous else "Comment"
        previous = ticket
        yield (pk, ticket, author, title, body, not internal, sent)


def attachments() -> Iterator[Sequence[object]]:
    for pk, message, first, file, name, content_type, size in rows(
        "SELECT a.id, a.message_id, (SELECT m.id FROM tickets_message m WHERE m.ticket_id = "
        "a.ticket_id ORDER BY m.created_at, m.id LIMIT 1), a.file, a.name, a.content_type, a.size "
        "FROM tickets_attachment a ORDER BY a.id"
    ):
        if message or first:
            yield (pk, message or first, file, name, content_type, size)


def kb_categories() -> Iterator[Sequence[object]]:
    for pk, name_en, name_ja, description_en, description_ja in rows(
        "SELECT id, name_en, name_ja, description_en, description_ja FROM kb_category ORDER BY id"
    ):
        name = (name_en or name_ja)[:100]
        yield (pk, name, name, f"c{pk}", description_en or description_ja, True)


def kb_items() -> Iterator[Sequence[object]]:
    for pk, category, title, body, updated, position in rows(
        "SELECT a.id, s.category_id, t.title, t.body, a.updated_at, a.position FROM kb_article a "
        "JOIN kb_section s ON s.id = a.section_id JOIN kb_articletranslation t "
        "ON t.article_id = a.id AND t.language = a.source_language AND t.is_published "
        "WHERE a.status = 'published' ORDER BY a.id"
    ):
        yield (pk, category, title[:100], title, body, 0, 0, updated, position, True)


def copy_files() -> None:
    """The seed's few small files, at the same relative paths under the peer's MEDIA_ROOT."""
    madoguchi_private = Path(os.environ["MADOGUCHI_PRIVATE_ROOT"])
    for (file,) in rows("SELECT DISTINCT file FROM tickets_attachment"):
        found = madoguchi_private / str(file)
        if found.is_file():
            copied = Path(settings.MEDIA_ROOT) / str(file)
            copied.parent.mkdir(parents=True, exist_ok=True)
            copied.write_bytes(found.read_bytes())


def main() -> None:
    from django.contrib.auth.models import User
    from helpdesk.models import (
        FollowUp,
        FollowUpAttachment,
        KBCategory,
        KBItem,
        Queue,
        Ticket,
        UserSettings,
    )

    started = time.perf_counter()
    made = {}
    with transaction.atomic():
        made["users"] = insert(
            "auth_user",
            ("id", "username", "email", "first_name", "last_name", "password", "is_staff",
             "is_superuser", "is_active", "date_joined"),
            users(),
        )  # fmt: skip
        insert(
            "helpdesk_usersettings",
            ("id", "user_id", "email_on_ticket_assign", "email_on_ticket_change",
             "login_view_ticketlist", "tickets_per_page", "use_email_as_submitter",
             "ticket_respond_layout"),
            user_settings(),
        )  # fmt: skip
        Queue.objects.all().delete()  # any its migrations made: the queues are our request types
        made["queues"] = len(Queue.objects.bulk_create(queues()))
        # For requests without a type; explicit key: the sequence knows nothing of the copies.
        last = max((queue.pk for queue in Queue.objects.all()), default=0)
        general = Queue.objects.create(pk=last + 1, title="General", slug="general")
        made["tickets"] = insert(
            "helpdesk_ticket",
            ("id", "title", "queue_id", "created", "modified", "submitter_email",
             "assigned_to_id", "status", "on_hold", "description", "priority", "secret_key"),
            tickets(general.pk),
        )  # fmt: skip
        made["follow-ups"] = insert(
            "helpdesk_followup",
            ("id", "ticket_id", "user_id", "title", "comment", "public", "date"),
            followups(),
        )
        made["attachments"] = insert(
            "helpdesk_followupattachment",
            ("id", "followup_id", "file", "filename", "mime_type", "size"),
            attachments(),
        )
        made["KB categories"] = insert(
            "helpdesk_kbcategory",
            ("id", "name", "title", "slug", "description", "public"),
            kb_categories(),
        )
        made["KB items"] = insert(
            "helpdesk_kbitem",
            ("id", "category_id", "title", "question", "answer", "votes", "recommendations",
             "last_updated", "order", "enabled"),
            kb_items(),
        )  # fmt: skip
        models = [
            User, UserSettings, Queue, Ticket, FollowUp, FollowUpAttachment, KBCategory, KBItem,
        ]  # fmt: skip
        with target.cursor() as cursor:
            for statement in target.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    copy_files()
    summary = ", ".join(f"{count:,} {kind}" for kind, count in made.items())
    print(f"peer seeded: {summary} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
