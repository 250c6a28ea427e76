"""Import articles in bulk (manage.py import_articles and the admin page), all or nothing.

Entries come from kb.formats, already checked one by one. Here they are checked against the
knowledge base (a slug another article uses), then written with a handful of bulk statements in
one transaction: any problem leaves nothing behind. An entry's id is the article's external id,
so importing the same files again updates the articles instead of adding new ones; an entry
whose text did not change writes no new version.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from madoguchi.accounts.models import Organisation
from madoguchi.branding.models import Brand
from madoguchi.core import page_cache
from madoguchi.core.errors import DomainError
from madoguchi.core.http import parse_id
from madoguchi.kb import indexing, services
from madoguchi.kb.formats import Entry
from madoguchi.kb.models import (
    Article,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    KnowledgeBase,
    Section,
    Segment,
    SlugRedirect,
    Tag,
    Visibility,
)
from madoguchi.kb.selectors import OWN_ID_PREFIX

BATCH = 1000


class ImportRefusedError(DomainError):
    """The files have problems; nothing was imported. `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(_("Nothing was imported: %(count)s problems.") % {"count": len(problems)})
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _Audience:
    """Who may read an article, as its entries state it, resolved to ids."""

    visibility: str
    organisations: tuple[int, ...] = ()
    segments: tuple[int, ...] = ()


@dataclass
class _Plan:
    kb: KnowledgeBase
    by_id: dict[str, list[Entry]]
    articles: dict[str, Article]
    created_ids: set[str]
    audiences: dict[str, _Audience]


@transaction.atomic
def articles_import(
    *, brand: Brand, kb_slug: str, entries: list[Entry], author: Any = None
) -> ImportResult:
    """Create or update the articles the entries describe in the brand's knowledge base kb_slug.

    The knowledge base is created (public by default) if missing. Raises ImportRefusedError
    with every problem found; nothing is written then.
    """
    kb = services.knowledge_base_get_or_create(brand=brand, slug=kb_slug)
    by_id: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_id[entry.id].append(entry)
    plan = _Plan(
        kb=kb,
        by_id=dict(by_id),
        articles=_existing_articles(kb, by_id),
        created_ids=set(),
        audiences=_audiences(kb, by_id),
    )
    slugs = _slugs(plan)
    sections = _sections(kb, entries)
    _articles_create(plan, sections)
    changed = _translations_write(plan, slugs, author)
    _articles_place(plan, sections, changed)
    _tags_set(plan)
    _audiences_set(plan)
    indexing.articles_index_later([article.pk for article in plan.articles.values()])
    page_cache.invalidate_on_commit()
    updated = len({e.id for e in changed} - plan.created_ids)
    return ImportResult(
        created=len(plan.created_ids),
        updated=updated,
        unchanged=len(by_id) - len(plan.created_ids) - updated,
    )


def _audiences(kb: KnowledgeBase, by_id: dict[str, list[Entry]]) -> dict[str, _Audience]:
    """Resolve the visibility each article's entries state (the first entry stating one);
    an organisation or a segment that does not exist is a problem to report."""
    stated = {
        key: next(entry for entry in entries if entry.visibility)
        for key, entries in by_id.items()
        if any(entry.visibility for entry in entries)
    }
    wanted = {slug for entry in stated.values() for slug in entry.organisations}
    organisations = dict(Organisation.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    names = {name for entry in stated.values() for name in entry.segments}
    segments: dict[str, list[int]] = defaultdict(list)
    for name, pk in Segment.objects.filter(brand=kb.brand_id, name__in=names).values_list(
        "name", "pk"
    ):
        segments[name].append(pk)
    problems = []
    for entry in stated.values():
        problems += [
            _("%(where)s: no organisation has the slug “%(slug)s”.")
            % {"where": entry.origin, "slug": slug}
            for slug in entry.organisations
            if slug not in organisations
        ]
        problems += [
            _("%(where)s: no segment of this brand is named “%(name)s”.")
            % {"where": entry.origin, "name": name}
            for name in entry.segments
            if name not in segments
        ]
    if problems:
        raise ImportRefusedError(problems)
    return {
        key: _Audience(
            visibility=entry.visibility,
            organisations=tuple(organisations[slug] for slug in entry.organisations)
            if entry.visibility == Visibility.ORGANISATIONS
            else (),
            segments=tuple(pk for name in entry.segments for pk in segments[name])
            if entry.visibility == Visibility.SEGMENTS
            else (),
        )
        for key, entry in stated.items()
    }


def _visibility_of(plan: _Plan, key: str) -> str:
    audience = plan.audiences.get(key)
    return audience.visibility if audience else plan.kb.default_visibility


def _is_database_id(text: str) -> bool:
    return parse_id(text) is not None


def _existing_articles(kb: KnowledgeBase, by_id: dict[str, list[Entry]]) -> dict[str, Article]:
    found = {a.external_id: a for a in kb.articles.exclude(external_id="")}
    own = {
        int(key.removeprefix(OWN_ID_PREFIX)): key
        for key in by_id
        if key not in found
        and key.startswith(OWN_ID_PREFIX)
        and _is_database_id(key[len(OWN_ID_PREFIX) :])
    }
    for article in kb.articles.filter(pk__in=list(own), external_id=""):
        found[own[article.pk]] = article
    return {key: found[key] for key in by_id if key in found}


def _slugs(plan: _Plan) -> dict[tuple[str, str], str]:
    """Choose each entry's slug; a chosen slug another article has is a problem to report.

    An entry without a slug keeps its translation's slug, or gets one made from its title,
    numbered when another article has it.
    """
    rows = ArticleTranslation.objects.filter(knowledge_base=plan.kb).values_list(
        "language", "slug", "article_id"
    )
    taken: dict[tuple[str, str], object] = {}
    current: dict[tuple[int, str], str] = {}
    for lang, slug, article_id in rows:
        taken[(lang, slug)] = article_id
        current[(article_id, lang)] = slug
    problems, chosen = [], {}
    for key, entries in plan.by_id.items():
        article = plan.articles.get(key)
        owner: object = article.pk if article else f"new:{key}"
        for entry in entries:
            kept = current.get((article.pk, entry.lang)) if article and not entry.slug else None
            wanted = kept or slugify(entry.slug or entry.title, allow_unicode=True)[:180]
            wanted = wanted.strip("-") or slugify(key, allow_unicode=True)[:180] or "article"
            if entry.slug and taken.get((entry.lang, wanted), owner) != owner:
                problems.append(
                    _("%(where)s: slug “%(slug)s” is already used by another article.")
                    % {"where": entry.origin, "slug": wanted}
                )
                continue
            slug, number = wanted, 1
            while taken.get((entry.lang, slug), owner) != owner:
                number += 1
                slug = f"{wanted}-{number}"
            taken[(entry.lang, slug)] = owner
            chosen[(key, entry.lang)] = slug
    if problems:
        raise ImportRefusedError(problems)
    return chosen


def _sections(kb: KnowledgeBase, entries: list[Entry]) -> dict[tuple[str, str], Section | None]:
    found: dict[tuple[str, str], Section | None] = {}
    for entry in entries:
        pair = (entry.category, entry.section or entry.category)
        if not entry.category or pair in found:
            continue
        category = services.category_get_or_create(
            kb, slug=slugify(entry.category)[:80] or "general"
        )
        found[pair] = services.section_get_or_create(
            category, slug=slugify(pair[1])[:80] or category.slug
        )
    return found


def _section_of(
    entries: list[Entry], sections: dict[tuple[str, str], Section | None]
) -> Section | None:
    for entry in entries:
        if entry.category:
            return sections[(entry.category, entry.section or entry.category)]
    return None


def _articles_create(plan: _Plan, sections: dict[tuple[str, str], Section | None]) -> None:
    now = timezone.now()
    new_keys = [key for key in plan.by_id if key not in plan.articles]
    start = plan.kb.articles.aggregate(n=Max("position"))["n"] or 0
    created = Article.objects.bulk_create(
        [
            Article(
                knowledge_base=plan.kb,
                section=_section_of(plan.by_id[key], sections),
                position=start + number,
                status=Article.Status.PUBLISHED,
                publish_at=now,
                visibility=_visibility_of(plan, key),
                source_language=plan.by_id[key][0].lang,
                external_id="" if key.startswith(OWN_ID_PREFIX) else key,
                created_at=now,
                updated_at=now,
            )
            for number, key in enumerate(new_keys, start=1)
        ],
        batch_size=BATCH,
    )
    plan.articles.update(zip(new_keys, created, strict=True))
    plan.created_ids.update(new_keys)


def _translations_write(plan: _Plan, slugs: dict[tuple[str, str], str], author: Any) -> list[Entry]:
    """Write a version and the live text of each new or changed entry; return those entries."""
    article_ids = [a.pk for a in plan.articles.values()]
    current = {
        (t.article_id, t.language): t
        for t in ArticleTranslation.objects.filter(article_id__in=article_ids)
    }
    numbers = {
        (row["article"], row["language"]): row["n"]
        for row in ArticleVersion.objects.filter(article_id__in=article_ids)
        .values("article", "language")
        .annotate(n=Max("number"))
    }
    changed = [
        entry
        for key, entries in plan.by_id.items()
        for entry in entries
        if _differs(
            current.get((plan.articles[key].pk, entry.lang)), entry, slugs[(key, entry.lang)]
        )
    ]
    # Source-language versions first: the other languages point at them.
    changed.sort(key=lambda e: e.lang != plan.articles[e.id].source_language)
    versions = _versions_create(plan, changed, numbers, current, author)
    _translations_save(plan, changed, versions, current, slugs)
    return changed


def _differs(translation: ArticleTranslation | None, entry: Entry, slug: str) -> bool:
    if translation is None or not translation.is_published:
        return True
    old = (translation.title, translation.body, translation.meta_description, translation.slug)
    return old != (entry.title, entry.body, entry.description, slug)


def _versions_create(
    plan: _Plan,
    changed: list[Entry],
    numbers: dict[tuple[int, str], int],
    current: dict[tuple[int, str], ArticleTranslation],
    author: Any,
) -> dict[tuple[str, str], ArticleVersion]:
    sources = [e for e in changed if e.lang == plan.articles[e.id].source_language]
    others = [e for e in changed if e.lang != plan.articles[e.id].source_language]
    made: dict[tuple[str, str], ArticleVersion] = {}
    for batch in (sources, others):
        rows = []
        for entry in batch:
            article = plan.articles[entry.id]
            source = made.get((entry.id, article.source_language))
            source_id = (
                source.pk
                if source
                else getattr(
                    current.get((article.pk, article.source_language)), "current_version_id", None
                )
            )
            rows.append(
                ArticleVersion(
                    article=article,
                    language=entry.lang,
                    number=numbers.get((article.pk, entry.lang), 0) + 1,
                    title=entry.title,
                    body=entry.body,
                    meta_description=entry.description[:300],
                    author=author,
                    source_version_id=None if batch is sources else source_id,
                    note=_("Imported"),
                )
            )
        created = ArticleVersion.objects.bulk_create(rows, batch_size=BATCH)
        made.update(((e.id, e.lang), v) for e, v in zip(batch, created, strict=True))
    return made


def _translations_save(
    plan: _Plan,
    changed: list[Entry],
    versions: dict[tuple[str, str], ArticleVersion],
    current: dict[tuple[int, str], ArticleTranslation],
    slugs: dict[tuple[str, str], str],
) -> None:
    now = timezone.now()
    new, updated, redirects = [], [], []
    for entry in changed:
        article = plan.articles[entry.id]
        translation = current.get((article.pk, entry.lang))
        if translation is None:
            translation = ArticleTranslation(
                article=article, knowledge_base=plan.kb, language=entry.lang, published_at=now
            )
            new.append(translation)
        else:
            updated.append(translation)
            if translation.slug != slugs[(entry.id, entry.lang)]:
                redirects.append((entry.lang, translation.slug, article.pk))
        version = versions[(entry.id, entry.lang)]
        translation.title = entry.title
        translation.slug = slugs[(entry.id, entry.lang)]
        translation.body = entry.body
        translation.body_html = services.render_body(entry.body)
        translation.meta_description = entry.description[:300]
        translation.current_version = version
        translation.source_version_id = version.source_version_id
        translation.is_published = True
        translation.published_at = translation.published_at or now
        translation.updated_at = now
    # Changed rows are written again under their own ids: one DELETE and one INSERT per batch
    # is far quicker than an UPDATE per row, and a slug may pass between two articles freely.
    # Only reviews refer to a translation row: the few rows they name are updated in place, so
    # the reviews (open ones with their drafts, and the history) stay.
    reviewed = _reviewed([t.pk for t in updated])
    in_place = [t for t in updated if t.pk in reviewed]
    rewritten = [t for t in updated if t.pk not in reviewed]
    ids = [t.pk for t in rewritten]
    for start in range(0, len(ids), BATCH):
        ArticleTranslation.objects.filter(pk__in=ids[start : start + BATCH]).delete()
    _slugs_free(in_place)
    for translation in in_place:
        translation.save()
    ArticleTranslation.objects.bulk_create(rewritten + new, batch_size=BATCH)
    _redirects_write(plan.kb, redirects, [(t.language, t.slug) for t in new + updated])


def _reviewed(ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        reviews = ArticleReview.objects.filter(translation_id__in=batch)
        found.update(reviews.values_list("translation_id", flat=True))
    return found


def _slugs_free(translations: list[ArticleTranslation]) -> None:
    """Park the slugs of the rows updated in place, so that two of them may swap slugs."""
    for translation in translations:
        ArticleTranslation.objects.filter(pk=translation.pk).update(slug=f"~{translation.pk}")


def _redirects_write(
    kb: KnowledgeBase, moved: list[tuple[str, str, int]], now_used: list[tuple[str, str]]
) -> None:
    """Point each old slug at its article; a slug in use again no longer redirects."""
    stale: dict[str, set[str]] = defaultdict(set)
    for language, slug in now_used:
        stale[language].add(slug)
    for language, slug, _article_id in moved:
        stale[language].add(slug)
    where = SlugRedirect.objects.filter(knowledge_base=kb, kind=SlugRedirect.Kind.ARTICLE)
    for language, slugs in stale.items():
        ordered = sorted(slugs)
        for start in range(0, len(ordered), BATCH):
            where.filter(language=language, slug__in=ordered[start : start + BATCH]).delete()
    in_use = set(now_used)
    SlugRedirect.objects.bulk_create(
        [
            SlugRedirect(
                knowledge_base=kb,
                kind=SlugRedirect.Kind.ARTICLE,
                language=language,
                slug=slug,
                object_id=article_id,
            )
            for language, slug, article_id in moved
            if (language, slug) not in in_use
        ]
    )


def _articles_place(
    plan: _Plan, sections: dict[tuple[str, str], Section | None], changed: list[Entry]
) -> None:
    """Move updated articles to the section their entries name, and make them live (archived
    ones excepted).

    One UPDATE per section and one per batch: a bulk_update of thousands of rows builds a
    CASE expression per row and costs seconds.
    """
    now = timezone.now()
    keys = [key for key in plan.by_id if key not in plan.created_ids]
    by_section: dict[int, list[int]] = defaultdict(list)
    for key in keys:
        article, section = plan.articles[key], _section_of(plan.by_id[key], sections)
        if section is not None and article.section_id != section.pk:
            by_section[section.pk].append(article.pk)
    for section_id, ids in by_section.items():
        _in_batches(ids, section_id=section_id)
    ids = [plan.articles[key].pk for key in keys]
    for start in range(0, len(ids), BATCH):
        Article.objects.filter(pk__in=ids[start : start + BATCH], publish_at__isnull=True).update(
            publish_at=now
        )
        # An archived article stays archived: its text is updated, an editor brings it back.
        Article.objects.filter(pk__in=ids[start : start + BATCH]).exclude(
            status__in=[Article.Status.PUBLISHED, Article.Status.ARCHIVED]
        ).update(status=Article.Status.PUBLISHED)
    touched = {plan.articles[e.id].pk for e in changed} - {
        plan.articles[k].pk for k in plan.created_ids
    }
    _in_batches(sorted(touched), updated_at=now)


def _in_batches(ids: list[int], **values: Any) -> None:
    for start in range(0, len(ids), BATCH):
        Article.objects.filter(pk__in=ids[start : start + BATCH]).update(**values)


def _audiences_set(plan: _Plan) -> None:
    """Give each article whose entries state a visibility that visibility and its links
    (replacing earlier ones); the others keep theirs."""
    by_visibility: dict[str, list[int]] = defaultdict(list)
    for key, audience in plan.audiences.items():
        by_visibility[audience.visibility].append(plan.articles[key].pk)
    for visibility, ids in by_visibility.items():
        _in_batches(ids, visibility=visibility)
    for field in ("organisations", "segments"):
        through = getattr(Article, field).through
        column = getattr(Article, field).field.m2m_reverse_field_name()
        ids = [plan.articles[key].pk for key in plan.audiences]
        for start in range(0, len(ids), BATCH):
            through.objects.filter(article_id__in=ids[start : start + BATCH]).delete()
        through.objects.bulk_create(
            [
                through(article_id=plan.articles[key].pk, **{f"{column}_id": linked})
                for key, audience in plan.audiences.items()
                for linked in getattr(audience, field)
            ],
            batch_size=BATCH,
        )


def _tags_set(plan: _Plan) -> None:
    """Give each article the union of its entries' tags (replacing earlier ones)."""
    wanted = {key: {t for e in entries for t in e.tags} for key, entries in plan.by_id.items()}
    names = {name for tags in wanted.values() for name in tags}
    slug_of = {name: slugify(name, allow_unicode=True)[:80] or "tag" for name in names}
    Tag.objects.bulk_create(
        [Tag(knowledge_base=plan.kb, slug=slug, name=name[:80]) for name, slug in slug_of.items()],
        ignore_conflicts=True,
    )
    tags = {t.slug: t.pk for t in plan.kb.tags.filter(slug__in=set(slug_of.values()))}
    through = Article.tags.through
    ids = [plan.articles[key].pk for key in wanted]
    through.objects.filter(article_id__in=ids).delete()
    through.objects.bulk_create(
        [
            through(article_id=plan.articles[key].pk, tag_id=tags[slug_of[name]])
            for key, names_of in wanted.items()
            for name in sorted(names_of)
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
