"""Synthetic requests for benchmarks (`manage.py seed`): realistic sizes and distributions.

Scale 1 makes 100,000 requests with about 3 messages each; scale 10 a million. Customers and agents
come from the accounts seeder. Deterministic for a given random seed. Rows are inserted in batches
(on PostgreSQL the messages through COPY), never through services: no mail, no audit, no signals.

For the benchmarks (see bench_customers): the last seeded customer who is a plain member asks
5,000 requests (`HEAVY_REQUESTS`, the "heavy" variant), the one before owns a request with
`LONG_THREAD` public messages beside about as many requests as anyone, and the one before that
asks none (the submission benchmark adds theirs).
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from madoguchi.accounts.models import Department, Membership, User, private_storage
from madoguchi.branding.services import default_brand
from madoguchi.core import markdown
from madoguchi.core.seeding import SeedContext
from madoguchi.tickets.models import Attachment, Category, Message, RequestType, Tag, Ticket

REQUESTS_AT_SCALE_1 = 100_000
HEAVY_REQUESTS = 5_000
LONG_THREAD = 50
BATCH = 5_000
SEED_DOMAIN = "@seed.example"
WEB = Ticket.Via.WEB.value

# (value, weight): most requests are done; a fifth are waiting on someone.
STATUSES = [
    ("new", 4), ("open", 12), ("pending", 8), ("on_hold", 2), ("solved", 14), ("closed", 60),
]  # fmt: skip
PRIORITIES = [("low", 20), ("normal", 60), ("high", 15), ("urgent", 5)]
# Public messages per request (the first is the description); mean about 2.8, with the internal
# notes about 3 messages per request, as BENCHMARKS.md sizes scale 10 (1M requests, 3M messages).
THREAD_LENGTHS = [(1, 25), (2, 25), (3, 20), (4, 12), (5, 8), (6, 4), (7, 3), (8, 1), (10, 2)]
NOTE_SHARE = 0.2
ATTACHMENT_SHARE = 0.05
TAGGED_SHARE = 0.3

GROUPS = [("Billing", "請求"), ("Technical support", "技術サポート"), ("Orders", "ご注文")]
CATALOG = [
    ("Orders", "ご注文", [("Return an item", "商品の返品"), ("Delivery delay", "配送の遅れ")]),
    ("Billing", "お支払い", [("Invoice question", "請求書について"), ("Refund", "返金")]),
    (
        "Technical support",
        "技術サポート",
        [("Sign-in trouble", "ログインできない"), ("Error message", "エラーメッセージ")],
    ),
]
TAGS = [
    "vip", "refund", "invoice", "delivery", "broken", "login", "password", "mobile", "api",
    "bug", "feature", "urgent-customer", "返品", "請求書", "配送", "ログイン", "不具合", "要望",
]  # fmt: skip
SUBJECTS = {
    "en": [
        "Order {n} arrived damaged", "Cannot sign in since this morning", "Invoice {n} is wrong",
        "Where is my delivery {n}?", "Refund for order {n}", "Error 500 when saving settings",
        "Please change the billing address", "The app crashes on my phone",
    ],
    "ja": [
        "注文番号{n}の商品が破損していました", "今朝からログインできません",
        "請求書{n}の金額が違います", "配送{n}はいつ届きますか", "注文{n}の返金について",
        "設定を保存するとエラーになります", "請求先住所を変更したいです",
        "スマートフォンでアプリが落ちます",
    ],
}  # fmt: skip
BODIES = {
    "en": [
        "Hello,\n\nThe box was **crushed** and the lid is cracked. Photos attached.\n\nThanks,",
        "I tried resetting my password twice but the link says it has expired.",
        "The invoice lists 12 units but we ordered 10. Could you send a corrected one?",
        "Tracking has not moved for five days. Can you check with the carrier?",
        "Thanks for the quick answer, that solved it.",
        "Could you tell me when this will be fixed? Our team is waiting on it.",
    ],
    "ja": [
        "お世話になっております。\n\n箱が**潰れて**おり、蓋が割れていました。写真を添付します。",
        "パスワードを2回リセットしましたが、リンクの有効期限が切れていると表示されます。",
        "請求書には12個と記載されていますが、注文したのは10個です。訂正をお願いします。",
        "追跡番号の情報が5日間更新されていません。配送業者にご確認いただけますか。",
        "迅速なご対応ありがとうございます。解決しました。",
        "いつ頃修正される予定でしょうか。チームが対応を待っています。",
    ],
}
AGENT_REPLIES = {
    "en": [
        "Thank you for letting us know. We are looking into it and will reply shortly.",
        "Could you send us the order number and a photo of the label?",
        "We have issued a replacement; it ships tomorrow.",
        "This should now be fixed. Please let us know if it happens again.",
    ],
    "ja": [
        "ご連絡ありがとうございます。確認のうえ、改めてご連絡いたします。",
        "恐れ入りますが、注文番号とラベルの写真をお送りいただけますでしょうか。",
        "交換品を手配いたしました。明日発送いたします。",
        "修正が完了しました。再発する場合はお知らせください。",
    ],
}
NOTES = [
    "Checked the logs: the carrier scan is missing. Escalating to logistics.",
    "顧客は以前にも同じ問題を報告しています。優先度を上げてください。",
    "Refund approved by finance (ref. FIN-2291).",
]
FILES = [("photo.png", "image/png"), ("invoice.pdf", "application/pdf"), ("log.txt", "text/plain")]


@cache
def _html(body: str) -> str:
    return markdown.render(body)


def _pick(rng: random.Random, weighted: list[tuple[object, int]]) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass(frozen=True)
class Cast:
    """Who the requests are about: customers with their organisation, agents, catalog, tags."""

    customers: list[tuple[int, int | None, str]]  # (user pk, organisation pk, language)
    heavy: tuple[int, int | None, str]  # asks HEAVY_REQUESTS requests
    long_thread_owner: tuple[int, int | None, str]  # owns the request with LONG_THREAD messages
    agents: list[int]
    request_types: list[RequestType]
    tags: list[int]
    files: list[str]  # names of small files in private storage, shared by attachment rows


def seed_requests(ctx: SeedContext) -> None:
    """Create the requests with their messages, notes, attachments and tags."""
    if Ticket.objects.filter(requester__email__endswith=SEED_DOMAIN).exists():
        ctx.out.write("requests: seeded requests exist already, skipping\n")
        return
    cast = _cast(ctx)
    total = ctx.count(REQUESTS_AT_SCALE_1)
    owners = _owners(ctx.rng, cast, total)
    now = timezone.now()
    made = {"requests": 0, "messages": 0, "attachments": 0}
    for start in range(0, total, BATCH):
        batch = owners[start : start + BATCH]
        with transaction.atomic():
            counts = _seed_batch(ctx.rng, cast, batch, now, long_thread=start == 0)
        for kind, count in counts.items():
            made[kind] += count
        ctx.out.write(f"requests: {start + len(batch):,} of {total:,}\n")
    _refresh_statistics()
    ctx.made.update(made)


def _refresh_statistics() -> None:
    """Give the query planner statistics for the rows just bulk-loaded.

    Without them PostgreSQL guesses (one row per index range) until autovacuum comes by, and
    SQLite never learns; on PostgreSQL VACUUM also sets the visibility map that lets the queue
    counts read their indexes alone. VACUUM cannot run inside a transaction (a test's), where
    ANALYZE alone is done.
    """
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def bench_customers() -> tuple[User, User, User]:
    """(heavy, long-thread owner, spare): the last three customers who are plain members.

    Organisation admins see every colleague's request, so the benchmarks use plain members:
    the heavy one asks HEAVY_REQUESTS requests, the next owns the LONG_THREAD request, and the
    spare one is left for a benchmark that submits requests.
    """
    plain = Membership.objects.filter(
        user__email__endswith=SEED_DOMAIN, user__is_staff=False, role=Membership.Role.MEMBER
    ).order_by("-user_id")
    users = User.objects.in_bulk([member.user_id for member in plain[:3]])
    heavy, owner, spare = (users[member.user_id] for member in plain[:3])
    return heavy, owner, spare


def _cast(ctx: SeedContext) -> Cast:
    members = (
        Membership.objects.filter(user__email__endswith=SEED_DOMAIN, user__is_staff=False)
        .order_by("user_id")
        .values_list("user_id", "organisation_id", "user__language")
    )
    if len(members) < 4:
        raise RuntimeError("seed the accounts first (they seed before requests)")
    heavy, owner, spare = bench_customers()
    by_user = {row[0]: row for row in members}
    special = {heavy.pk, owner.pk, spare.pk}
    agents = list(
        User.objects.filter(is_staff=True, email__endswith=SEED_DOMAIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Cast(
        # The owner of the long thread asks ordinary requests too; the spare one asks none.
        customers=[row for row in members if row[0] not in special] + [by_user[owner.pk]],
        heavy=by_user[heavy.pk],
        long_thread_owner=by_user[owner.pk],
        agents=agents,
        request_types=_catalog(agents),
        tags=[Tag.objects.get_or_create(name=name)[0].pk for name in TAGS],
        files=_files(),
    )


def _catalog(agents: list[int]) -> list[RequestType]:
    brand = default_brand()
    groups = []
    for index, (name_en, _name_ja) in enumerate(GROUPS):
        group, _created = Department.objects.get_or_create(name=name_en)
        group.members.add(*agents[index :: len(GROUPS)])
        groups.append(group)
    types = []
    for position, (name_en, name_ja, entries) in enumerate(CATALOG):
        category = Category.objects.create(
            brand=brand, name_en=name_en, name_ja=name_ja, position=position
        )
        for type_en, type_ja in entries:
            types.append(
                RequestType.objects.create(
                    brand=brand,
                    category=category,
                    name_en=type_en,
                    name_ja=type_ja,
                    department=groups[position],
                )
            )
    return types


def _files() -> list[str]:
    storage = private_storage()
    return [
        storage.save(f"attachments/seed/{name}", ContentFile(f"seed file {name}\n".encode()))
        for name, _type in FILES
    ]


def _owners(rng: random.Random, cast: Cast, total: int) -> list[tuple[int, int | None, str]]:
    """The requester of each request: the heavy customer's 5,000 among the others, shuffled."""
    heavy = min(HEAVY_REQUESTS, total // 4)
    owners = [cast.heavy] * heavy + rng.choices(cast.customers, k=total - heavy)
    rng.shuffle(owners)
    return owners


def _seed_batch(
    rng: random.Random,
    cast: Cast,
    owners: list[tuple[int, int | None, str]],
    now: datetime,
    *,
    long_thread: bool,
) -> dict[str, int]:
    tickets = [_ticket(rng, cast, owner, now) for owner in owners]
    if long_thread:
        tickets[0] = _ticket(rng, cast, cast.long_thread_owner, now, status="open")
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    messages: list[tuple[object, ...]] = []
    attachments: list[Attachment] = []
    tag_links = []
    for index, (ticket, owner) in enumerate(zip(tickets, owners, strict=True)):
        length = LONG_THREAD if long_thread and index == 0 else int(_pick(rng, THREAD_LENGTHS))
        thread = list(_thread(rng, cast, ticket, owner[2], length))
        messages.extend(thread)
        if rng.random() < ATTACHMENT_SHARE:
            attachments.append(_attachment(rng, cast, ticket))
        if rng.random() < TAGGED_SHARE:
            chosen = rng.sample(cast.tags, rng.randint(1, 2))
            tag_links.extend(Ticket.tags.through(ticket_id=ticket.pk, tag_id=tag) for tag in chosen)
    _insert_messages(messages)
    Attachment.objects.bulk_create(attachments, batch_size=1000)
    Ticket.tags.through.objects.bulk_create(tag_links, batch_size=1000)
    return {"requests": len(tickets), "messages": len(messages), "attachments": len(attachments)}


def _ticket(
    rng: random.Random,
    cast: Cast,
    owner: tuple[int, int | None, str],
    now: datetime,
    status: str | None = None,
) -> Ticket:
    user, organisation, language = owner
    request_type = rng.choice(cast.request_types)
    status = status or str(_pick(rng, STATUSES))
    created = now - timedelta(seconds=rng.randint(3600, 730 * 86400))
    updated = min(now, created + timedelta(seconds=rng.randint(60, 30 * 86400)))
    unassigned = status == "new" and rng.random() < 0.7
    return Ticket(
        brand_id=request_type.brand_id,
        request_type=request_type,
        subject=rng.choice(SUBJECTS[language]).format(n=rng.randint(10000, 99999)),
        requester_id=user,
        organisation_id=organisation,
        status=status,
        priority=str(_pick(rng, PRIORITIES)),
        department_id=request_type.department_id,
        assignee_id=None if unassigned else rng.choice(cast.agents),
        reply_token=f"{rng.getrandbits(128):032x}",
        created_at=created,
        updated_at=updated,
        solved_at=updated if status in Ticket.DONE else None,
        first_response_at=None if status == "new" else created + (updated - created) / 4,
    )


def _thread(
    rng: random.Random, cast: Cast, ticket: Ticket, language: str, length: int
) -> Iterator[tuple[object, ...]]:
    """The description, then replies alternating agent and customer; maybe an internal note.

    Rows in MESSAGE_COLUMNS order: millions of them, so no model instances.
    """
    span = ticket.updated_at - ticket.created_at
    agent = ticket.assignee_id or cast.agents[0]
    for position in range(length):
        from_agent = position % 2 == 1
        body = rng.choice(AGENT_REPLIES[language] if from_agent else BODIES[language])
        author = agent if from_agent else ticket.requester_id
        sent = ticket.created_at + span * position / max(1, length)
        yield (ticket.pk, author, body, _html(body), False, WEB, sent)
    if rng.random() < NOTE_SHARE:
        body = rng.choice(NOTES)
        yield (ticket.pk, agent, body, _html(body), True, WEB, ticket.created_at + span / 2)


def _attachment(rng: random.Random, cast: Cast, ticket: Ticket) -> Attachment:
    index = rng.randrange(len(FILES))
    name, content_type = FILES[index]
    return Attachment(
        ticket_id=ticket.pk,
        field_key="attachment",
        file=cast.files[index],
        name=name,
        content_type=content_type,
        size=len(f"seed file {name}\n"),
        uploaded_by_id=ticket.requester_id,
        created_at=ticket.created_at,
    )


MESSAGE_COLUMNS = (
    "ticket_id", "author_id", "body", "body_html", "is_internal", "via", "created_at",
)  # fmt: skip


def _insert_messages(rows: list[tuple[object, ...]]) -> None:
    """COPY on PostgreSQL, executemany elsewhere: several times faster than bulk_create."""
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(MESSAGE_COLUMNS)  # constant names only
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(MESSAGE_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - constant names
            [(*row[:-1], adapt(row[-1])) for row in rows],
        )
