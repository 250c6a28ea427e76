"""Synthetic and demo accounts: organisations, customers, agents and admins in both languages."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from madoguchi.accounts.models import Membership, Organisation, User
from madoguchi.core.seeding import SeedContext

DEMO_PASSWORD = "madoguchi-demo"  # noqa: S105 - a published demo credential, created only by `demo`

_EN_GIVEN = ["Alice", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Henry", "Isla", "Jack"]
_EN_FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Clarke", "Hughes", "Wood"]
_JA_GIVEN = ["陽菜", "蓮", "結衣", "悠真", "さくら", "大翔", "美咲", "湊", "葵", "翔太"]
_JA_FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
_EN_ORG = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell"]
_EN_ORG_SUFFIX = ["Ltd", "Inc.", "Group", "Trading", "Logistics", "Systems"]
_JA_ORG = ["山田", "東海", "北斗", "さくら", "大和", "富士", "青葉", "朝日"]
_JA_ORG_SUFFIX = ["商事株式会社", "工業株式会社", "物流株式会社", "システムズ", "電機株式会社"]

BATCH = 2000


def _person(ctx: SeedContext, index: int) -> tuple[str, str]:
    """Return (name, language) for the index-th synthetic person; half speak Japanese."""
    rng = ctx.rng
    if index % 2:
        return f"{rng.choice(_JA_FAMILY)} {rng.choice(_JA_GIVEN)}", "ja"
    return f"{rng.choice(_EN_GIVEN)} {rng.choice(_EN_FAMILY)}", "en"


def _organisations(ctx: SeedContext, count: int) -> list[Organisation]:
    rng = ctx.rng
    made = []
    for index in range(count):
        if index % 2:
            name = f"{rng.choice(_JA_ORG)}{rng.choice(_JA_ORG_SUFFIX)}"
        else:
            name = f"{rng.choice(_EN_ORG)} {rng.choice(_EN_ORG_SUFFIX)}"
        made.append(Organisation(name=f"{name} {index + 1}", slug=f"seed-org-{index + 1}"))
    return Organisation.objects.bulk_create(made, batch_size=BATCH)


def _users(ctx: SeedContext, count: int, *, prefix: str, is_staff: bool) -> list[User]:
    password = make_password(DEMO_PASSWORD)
    made = []
    for index in range(count):
        name, language = _person(ctx, index)
        made.append(
            User(
                email=f"{prefix}{index + 1}@seed.example",
                name=name,
                language=language,
                time_zone="Asia/Tokyo" if language == "ja" else "Europe/London",
                is_staff=is_staff,
                password=password,
            )
        )
    users = User.objects.bulk_create(made, batch_size=BATCH)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=BATCH,
    )
    return users


def seed_accounts(ctx: SeedContext) -> None:
    """Create organisations, customers spread over them (one admin each) and agents."""
    start = Organisation.objects.filter(slug__startswith="seed-org-").count()
    if start:
        ctx.out.write(f"accounts: {start} seeded organisations exist already, skipping\n")
        return
    with transaction.atomic():
        organisations = _organisations(ctx, ctx.count(200))
        customers = _users(ctx, ctx.count(2000), prefix="customer", is_staff=False)
        agents = _users(ctx, ctx.count(2, minimum=2), prefix="agent", is_staff=True)
        memberships = [
            Membership(
                user=user,
                organisation=organisations[index % len(organisations)],
                role=Membership.Role.ADMIN
                if index < len(organisations)
                else Membership.Role.MEMBER,
            )
            for index, user in enumerate(customers)
        ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
    ctx.made.update(organisations=len(organisations), customers=len(customers), agents=len(agents))


def _demo_user(email: str, name: str, language: str, **flags: bool) -> User:
    user = User.objects.create_user(email, DEMO_PASSWORD, name=name, language=language, **flags)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


DEMO_SIGNINS = [
    ("customer", "alice@example.com", DEMO_PASSWORD),
    ("organisation admin", "bob@example.com", DEMO_PASSWORD),
    ("customer, other organisation", "carol@example.com", DEMO_PASSWORD),
    ("agent", "dave@example.com", DEMO_PASSWORD),
    ("admin", "erin@example.com", DEMO_PASSWORD),
]


@transaction.atomic
def load_demo_accounts() -> None:
    """Create the demo cast: two organisations, customers, an agent and an admin."""
    acme = Organisation.objects.create(name="Acme Corporation", slug="acme")
    globex = Organisation.objects.create(name="グローベックス株式会社", slug="globex")
    alice = _demo_user("alice@example.com", "Alice Example", "en")
    bob = _demo_user("bob@example.com", "Bob Example", "en")
    carol = _demo_user("carol@example.com", "山田 花子", "ja")
    _demo_user("dave@example.com", "Dave Agent", "en", is_staff=True)
    _demo_user("erin@example.com", "Erin Admin", "en", is_staff=True, is_superuser=True)
    Membership.objects.create(user=alice, organisation=acme, role=Membership.Role.MEMBER)
    Membership.objects.create(user=bob, organisation=acme, role=Membership.Role.ADMIN)
    Membership.objects.create(user=carol, organisation=globex, role=Membership.Role.MEMBER)
