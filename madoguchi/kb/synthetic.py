"""Synthetic articles for benchmarks (`manage.py seed`): B3's knowledge bases.

Scale 1 makes 2,000 articles and scale 10 makes 100,000, the sizes BENCHMARKS.md names (linear
below 1 and between the two, 10,889 more per step above 1), in two knowledge bases, half in
English and half in Japanese, bodies of about 2 kB of Markdown, 8 categories and 40 sections
each. Most are public; a tenth each are for signed-in customers, for one organisation, and for
the segment of "enterprise" organisations (every fifth seeded organisation carries that tag).
They go in through the bulk import (kb.imports), the same path as `import_articles`.
Deterministic for a seed.
"""

import random

from django.db.models import F
from django.db.models.functions import Mod

from madoguchi.accounts.models import Membership, Organisation, OrganisationTag, User
from madoguchi.branding.services import default_brand
from madoguchi.core.seeding import SeedContext
from madoguchi.kb import imports, indexing
from madoguchi.kb.formats import Entry
from madoguchi.kb.models import Article, KnowledgeBase, Segment, Visibility

ARTICLES_AT_SCALE_1 = 2_000
ARTICLES_AT_SCALE_10 = 100_000
BATCH = 5_000
KNOWLEDGE_BASES = [
    ("guide", "User guide", "ユーザーガイド"),
    ("partners", "Partner handbook", "パートナー向け手引き"),
]
WORDS_EN = ["account", "password", "invoice", "printer", "network", "setting", "screen", "order"]
WORDS_JA = [
    "アカウント",
    "パスワード",
    "請求書",
    "プリンター",
    "ネットワーク",
    "設定",
    "画面",
    "注文",
]
SEGMENT_NAME = "Enterprise customers"
TAG_NAME = "enterprise"


def entries(count: int, rng: random.Random, *, prefix: str = "ext") -> list[Entry]:
    """Return count synthetic article entries, alternately English and Japanese."""
    made = []
    for number in range(count):
        japanese = number % 2 == 1
        words, joiner = (WORDS_JA, "") if japanese else (WORDS_EN, " ")
        title = joiner.join(rng.choice(words) for _ in range(4)) + f" {number}"
        paragraphs = [joiner.join(rng.choice(words) for _ in range(40)) for _ in range(5)]
        body = (
            f"## {title}\n\n"
            + "\n\n".join(paragraphs)
            + "\n\n1. **Open** the page\n2. Choose [settings](https://example.com/settings)\n"
        )
        made.append(
            Entry(
                id=f"{prefix}-{number}",
                lang="ja" if japanese else "en",
                title=title,
                body=body,
                category=f"category-{number % 8}",
                section=f"section-{number % 40}",
                tags=tuple(sorted({rng.choice(WORDS_EN) for _ in range(3)})),
            )
        )
    return made


def search_queries(language: str, count: int, rng: random.Random) -> list[str]:
    """Return distinct searches a reader of the synthetic articles might type (B4): two or three
    of their words, a third of them with an article number (a title word found once)."""
    words, joiner = (WORDS_JA, "") if language == "ja" else (WORDS_EN, " ")
    found: dict[str, None] = {}
    while len(found) < count:
        query = joiner.join(rng.sample(words, rng.choice((2, 3))))
        if rng.random() < 1 / 3:
            query += f" {rng.randrange(ARTICLES_AT_SCALE_1)}"
        found[query] = None
    return list(found)


def typed_prefixes(count: int, rng: random.Random) -> list[str]:
    """Return what the header's search box holds while someone types (B4 suggestions): the
    first letters of a word, after a finished word or not, in English and Japanese."""
    found: dict[str, None] = {}
    while len(found) < count:
        words, joiner = rng.choice(((WORDS_EN, " "), (WORDS_JA, "")))
        word = rng.choice(words)
        begun = word[: rng.randint(min(len(word), 2 if joiner else 1), len(word))]
        found[(rng.choice(words) + joiner if rng.random() < 0.5 else "") + begun] = None
    return list(found)


def article_count(scale: float) -> int:
    """Return how many articles a seed at scale makes (BENCHMARKS.md: 2,000 at 1, 100,000 at 10)."""
    if scale <= 1:
        return max(len(KNOWLEDGE_BASES), round(ARTICLES_AT_SCALE_1 * scale))
    step = (ARTICLES_AT_SCALE_10 - ARTICLES_AT_SCALE_1) / 9
    return round(ARTICLES_AT_SCALE_1 + (scale - 1) * step)


def seed_articles(ctx: SeedContext) -> None:
    """Create B3's knowledge bases with their articles, segments and organisation tags."""
    brand = default_brand()
    if KnowledgeBase.objects.filter(brand=brand, slug=KNOWLEDGE_BASES[0][0]).exists():
        ctx.out.write("articles: seeded knowledge bases exist already, skipping\n")
        return
    segment = _segment(brand)
    organisations = list(
        Organisation.objects.filter(slug__startswith="seed-org-").values_list("pk", flat=True)
    )
    per_kb = article_count(ctx.scale) // len(KNOWLEDGE_BASES)
    for slug, name_en, name_ja in KNOWLEDGE_BASES:
        made = entries(per_kb, ctx.rng, prefix=slug)
        for start in range(0, per_kb, BATCH):
            imports.articles_import(brand=brand, kb_slug=slug, entries=made[start : start + BATCH])
            ctx.out.write(f"articles: {slug} {min(start + BATCH, per_kb):,} of {per_kb:,}\n")
        kb = KnowledgeBase.objects.get(brand=brand, slug=slug)
        KnowledgeBase.objects.filter(pk=kb.pk).update(name_en=name_en, name_ja=name_ja)
        _restrict(kb, ctx.rng, organisations, segment)
    ctx.made["articles"] = per_kb * len(KNOWLEDGE_BASES)


def _segment(brand: object) -> Segment:
    tag, _created = OrganisationTag.objects.get_or_create(name=TAG_NAME)
    seeded = Organisation.objects.filter(slug__startswith="seed-org-").order_by("pk")
    tag.organisations.add(*list(seeded)[::5])
    segment, _created = Segment.objects.get_or_create(brand=brand, name=SEGMENT_NAME)
    segment.organisation_tags.add(tag)
    return segment


def _restrict(
    kb: KnowledgeBase, rng: random.Random, organisations: list[int], segment: Segment
) -> None:
    """Give a tenth each of the articles another visibility, and spread out view counts."""
    articles = Article.objects.filter(knowledge_base=kb)
    rest = articles.annotate(slot=Mod("id", 10))
    rest.filter(slot=7).update(visibility=Visibility.SIGNED_IN)
    rest.filter(slot=8).update(visibility=Visibility.ORGANISATIONS)
    rest.filter(slot=9).update(visibility=Visibility.SEGMENTS)
    articles.update(view_count=Mod(F("id") * 7919, 5000))
    if organisations:
        chosen = rest.filter(slot=8).values_list("pk", flat=True)
        Article.organisations.through.objects.bulk_create(
            [
                Article.organisations.through(
                    article_id=pk, organisation_id=rng.choice(organisations)
                )
                for pk in chosen
            ],
            batch_size=BATCH,
        )
    Article.segments.through.objects.bulk_create(
        [
            Article.segments.through(article_id=pk, segment_id=segment.pk)
            for pk in rest.filter(slot=9).values_list("pk", flat=True)
        ],
        batch_size=BATCH,
    )
    # Bulk writes pass the index by: its documents would keep the labels of public articles.
    indexing.articles_relabel(articles)


def bench_reader() -> User | None:
    """Return a plain member of an "enterprise" organisation: the signed-in B3 reader."""
    member = (
        Membership.objects.filter(
            organisation__tags__name=TAG_NAME, role=Membership.Role.MEMBER, user__is_staff=False
        )
        .order_by("user_id")
        .select_related("user")
        .first()
    )
    return member.user if member else None
