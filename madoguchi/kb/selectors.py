"""Reads for help-centre readers, every one scoped through core.access first.

Readers see live articles only (agents too, on these pages: drafts belong to the editor). An
article is shown in the reader's language when it has a published translation in it, otherwise
in its source language (the page says so).
"""

import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator

from madoguchi.branding.models import Brand
from madoguchi.core import access
from madoguchi.core.markdown import plain_text
from madoguchi.core.translated import in_language
from madoguchi.kb import editor_selectors, scopes
from madoguchi.kb.formats import Entry
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleTranslation,
    Category,
    KnowledgeBase,
    Section,
    SlugRedirect,
    Tag,
    Visibility,
)

LIST_SIZE = 5
# An image of the article's own files in its rendered text: <img src="/en/kb/files/12/" …>.
_SHOWN_FILE = re.compile(r'<img\s[^>]*src="[^"]*/kb/files/(\d{1,18})/"')
# A description made from the text is cut here (search engines show about this much).
DESCRIPTION_CHARS = 160
# Articles without an external id are exported under this id (kb.imports knows it).
OWN_ID_PREFIX = "madoguchi-"
_TRANSLATION_FIELDS = ("id", "article_id", "language", "title", "slug", "meta_description")


def _published_translations() -> Prefetch:
    return Prefetch(
        "translations",
        queryset=ArticleTranslation.objects.filter(is_published=True).only(*_TRANSLATION_FIELDS),
        to_attr="published",
    )


def pick_translation(article: Article, language: str) -> ArticleTranslation | None:
    """Return the article's published text in language, else in its source language, else any."""
    published = getattr(article, "published", None)
    if published is None:
        published = list(article.translations.filter(is_published=True))
    by_language = {t.language: t for t in published}
    return (
        by_language.get(language)
        or by_language.get(article.source_language)
        or next(iter(by_language.values()), None)
    )


def _with_shown(articles: list[Article], language: str) -> list[Article]:
    """Attach `shown` (the translation to display) and drop articles with no published text."""
    for article in articles:
        article.shown = pick_translation(article, language)
    return [a for a in articles if a.shown is not None]


def readable_articles(user: Any, kb: KnowledgeBase) -> QuerySet[Article]:
    """Return the live articles of kb the user may read."""
    return access.visible(user, Article).live().filter(knowledge_base=kb)


def reader_audience(user: Any) -> Hashable | None:
    """Return what the user's help centre depends on (kb.scopes.reader_audience): pages are
    shared with everyone of the same audience, and with no one for None."""
    return scopes.reader_audience(user)


def knowledge_bases_for(user: Any, brand: Brand) -> QuerySet[KnowledgeBase]:
    return access.visible(user, KnowledgeBase).filter(brand=brand)


def knowledge_base_get_for(user: Any, brand: Brand, slug: str) -> KnowledgeBase:
    return access.get_visible_or_404(user, KnowledgeBase.objects.filter(brand=brand), slug=slug)


def knowledge_base_holding(brand: Brand, slug: str) -> KnowledgeBase:
    """Return the brand's knowledge base named slug, for a page about one thing in it.

    Unscoped on purpose: such a page goes on to fetch its article, category, section or tag
    through that thing's scope, which only finds it when the reader may read an article there,
    so a knowledge base the reader may not see still answers the same 404. Checking it here too
    would build the reader's visibility rule twice.
    """
    try:
        return KnowledgeBase.objects.get(brand=brand, slug=slug)
    except KnowledgeBase.DoesNotExist as exc:
        raise Http404 from exc


def _live_containers[M: Category | Section | Tag](
    user: Any, model: type[M], kb: KnowledgeBase
) -> QuerySet[M]:
    # Only containers holding an article the reader may read, found through the articles'
    # scope: the same rule as the containers' own scopes, with live articles for agents too.
    # Asked container by container (EXISTS): `pk IN (the sections of every readable article)`
    # made SQLite list the 50,000 articles of a knowledge base to open one section.
    column = {Category: "section__category", Section: "section", Tag: "tags"}[model]
    holding = readable_articles(user, kb).filter(**{column: OuterRef("pk")})
    return model.objects.filter(Exists(holding), knowledge_base=kb)


def categories_for(user: Any, kb: KnowledgeBase) -> list[Category]:
    """Return the categories the user may see, each with `visible_sections` in order."""
    sections = _live_containers(user, Section, kb)
    categories = _live_containers(user, Category, kb).prefetch_related(
        Prefetch("sections", queryset=sections, to_attr="visible_sections")
    )
    return list(categories)


def search_categories(
    user: Any, bases: Iterable[KnowledgeBase]
) -> list[tuple[KnowledgeBase, list[Category]]]:
    """Return the categories a reader may narrow a search to, knowledge base by knowledge base."""
    return [
        (kb, list(_live_containers(user, Category, kb).order_by("position", "pk"))) for kb in bases
    ]


def category_get_for(user: Any, kb: KnowledgeBase, slug: str) -> Category:
    return _container_get(user, Category, kb, slug)


def section_get_for(user: Any, kb: KnowledgeBase, slug: str) -> Section:
    return _container_get(user, Section, kb, slug)


def tag_get_for(user: Any, kb: KnowledgeBase, slug: str) -> Tag:
    return _container_get(user, Tag, kb, slug)


def _container_get[M: Category | Section | Tag](
    user: Any, model: type[M], kb: KnowledgeBase, slug: str
) -> M:
    return _container_get_by(user, model, kb, slug=slug)


def _container_get_by[M: Category | Section | Tag](
    user: Any, model: type[M], kb: KnowledgeBase, **lookup: Any
) -> M:
    queryset = _live_containers(user, model, kb)
    if model is Section:
        queryset = queryset.select_related("category")
    try:
        return queryset.get(**lookup)
    except model.DoesNotExist as exc:
        raise Http404 from exc


def redirect_slug(kb: KnowledgeBase, kind: str, slug: str, language: str = "") -> int | None:
    """Return the id of the object that once had slug, if any (the caller scopes it)."""
    return (
        SlugRedirect.objects.filter(knowledge_base=kb, kind=kind, language=language, slug=slug)
        .values_list("object_id", flat=True)
        .first()
    )


def container_slug_after_rename(user: Any, kb: KnowledgeBase, kind: str, slug: str) -> str:
    """Return the current slug of the category or section that once had slug; else 404."""
    model = Category if kind == SlugRedirect.Kind.CATEGORY else Section
    moved_to = redirect_slug(kb, kind, slug)
    if moved_to is None:
        raise Http404
    return _container_get_by(user, model, kb, pk=moved_to).slug


def kb_name(kb: KnowledgeBase) -> str:
    return in_language(kb, "name") or kb.slug


def section_articles(user: Any, section: Section, language: str) -> QuerySet[Article]:
    """Return the section's articles the user may read, in hand order, for a paginator."""
    return (
        readable_articles(user, section.knowledge_base)
        .filter(section=section)
        .order_by("position", "pk")
        .prefetch_related(_published_translations())
    )


def tag_articles(user: Any, tag: Tag) -> QuerySet[Article]:
    return (
        readable_articles(user, tag.knowledge_base)
        .filter(tags=tag)
        .order_by("-updated_at", "pk")
        .prefetch_related(_published_translations())
    )


def shown_in(articles: Any, language: str) -> list[Article]:
    """Return the articles (a page of them) with the translation each shows in `shown`."""
    return _with_shown(list(articles), language)


def popular_articles(user: Any, kb: KnowledgeBase, language: str) -> list[Article]:
    articles = readable_articles(user, kb).order_by("-view_count", "pk")
    return shown_in(articles.prefetch_related(_published_translations())[:LIST_SIZE], language)


def recent_articles(user: Any, kb: KnowledgeBase, language: str) -> list[Article]:
    articles = readable_articles(user, kb).order_by("-updated_at", "-pk")
    return shown_in(articles.prefetch_related(_published_translations())[:LIST_SIZE], language)


@dataclass
class ArticlePage:
    """What the article page shows; `redirect_slug` set means "answer 301 to this slug"."""

    article: Article
    translation: ArticleTranslation
    translations: list[ArticleTranslation]
    language: str
    redirect_slug: str = ""

    @property
    def is_fallback(self) -> bool:
        return self.translation.language != self.language

    @property
    def original(self) -> ArticleTranslation:
        """The translation in the article's source language (the x-default alternate)."""
        source = self.article.source_language
        return next((t for t in self.translations if t.language == source), self.translation)

    @property
    def description(self) -> str:
        """The page's meta description: the one the editor wrote, else the text's beginning."""
        written = self.translation.meta_description
        return written or Truncator(plain_text(self.translation.body_html)).chars(DESCRIPTION_CHARS)


def article_page_get_for(user: Any, kb: KnowledgeBase, language: str, slug: str) -> ArticlePage:
    """Find the article a URL names, in the reader's language or a fallback; 404 otherwise.

    The slug may be the article's current one in this language, its slug in another language
    (a reader who switched language), or an old slug (kept in SlugRedirect). Whenever the
    article has a different proper slug for this language, redirect_slug says so.
    """
    article = _first_readable(user, kb, _current_slug_owners(kb, language, slug))
    if article is None:
        article = _first_readable(user, kb, _old_slug_owners(kb, language, slug))
    if article is None:
        raise Http404
    shown = pick_translation(article, language)
    if shown is None:
        raise Http404
    page = ArticlePage(
        article=article, translation=shown, translations=article.published, language=language
    )
    if shown.slug != slug:
        page.redirect_slug = shown.slug
    return page


def _current_slug_owners(kb: KnowledgeBase, language: str, slug: str) -> list[int]:
    """Return the articles whose published text has slug now, this language's first."""
    rows = ArticleTranslation.objects.filter(
        knowledge_base=kb, slug=slug, is_published=True
    ).values_list("language", "article_id")
    return _this_language_first(rows, language)


def _old_slug_owners(kb: KnowledgeBase, language: str, slug: str) -> list[int]:
    """Return the articles that once had slug; the old slug of this language first."""
    rows = SlugRedirect.objects.filter(
        knowledge_base=kb, kind=SlugRedirect.Kind.ARTICLE, slug=slug
    ).values_list("language", "object_id")
    return _this_language_first(rows, language)


def _this_language_first(rows: Iterable[tuple[str, int]], language: str) -> list[int]:
    return [pk for _lang, pk in sorted(rows, key=lambda row: (row[0] != language, row[1]))]


def _first_readable(user: Any, kb: KnowledgeBase, candidates: list[int]) -> Article | None:
    """Return the first of the candidate articles the user may read, ready for its page."""
    if not candidates:
        return None
    found = readable_articles(user, kb).filter(pk__in=candidates)
    found = found.select_related("section__category", "owner").prefetch_related(
        Prefetch(
            "translations",
            queryset=ArticleTranslation.objects.filter(is_published=True),
            to_attr="published",
        )
    )
    by_pk = {article.pk: article for article in found}
    article = next((by_pk[pk] for pk in candidates if pk in by_pk), None)
    if article is not None:
        article.knowledge_base = kb  # the page and its related list read it: no query again
    return article


def article_tags(article: Article) -> list[Tag]:
    return list(article.tags.order_by("name"))


def related_articles(user: Any, article: Article, language: str) -> list[Article]:
    """Return up to five related articles the user may read: chosen ones, else the section's.

    Two short queries in hand order rather than one sorted by "chosen first": that one had to
    read and sort every article of the section (1,250 at 100,000 articles) to return five.
    """
    readable = (
        readable_articles(user, article.knowledge_base)
        .exclude(pk=article.pk)
        .order_by("position", "pk")
    )
    related = list(readable.filter(pk__in=article.related.values("pk"))[:LIST_SIZE])
    if len(related) < LIST_SIZE and article.section_id is not None:
        more = readable.filter(section_id=article.section_id).exclude(
            pk__in=[chosen.pk for chosen in related]
        )
        related += more[: LIST_SIZE - len(related)]
    prefetch_related_objects(related, _published_translations())
    return _with_shown(related, language)


def article_attachments(
    article: Article, language: str, body_html: str = ""
) -> list[ArticleAttachment]:
    """Return the files of an article the reader was given through its scope (a file is seen
    exactly when its article is: kb.scopes), the ones for every language and for this one,
    published with the article (a draft's files wait for its publication). Images the text
    (body_html) already shows are not listed again."""
    files = ArticleAttachment.objects.filter(article=article, published_at__isnull=False)
    files = files.filter(Q(language="") | Q(language=language))
    shown = {int(pk) for pk in _SHOWN_FILE.findall(body_html)}
    return [file for file in files if file.pk not in shown]


def attachment_get_for(user: Any, pk: int) -> ArticleAttachment:
    """Return a file of a live article the user may read; anything else is a 404.

    Editors also open the files of drafts: the images in the editor's preview.
    """
    queryset = access.visible(user, ArticleAttachment)
    if not editor_selectors.may_edit(user):
        live = access.visible(user, Article).live().filter(pk=OuterRef("article_id"))
        queryset = queryset.filter(Exists(live))
    return access.get_visible_or_404(user, queryset, pk=pk)


def _public_articles(brand: Brand) -> QuerySet[Article]:
    # Exactly what a visitor who is not signed in may read: the same scope, asked as a visitor.
    return access.visible(AnonymousUser(), Article).live().filter(knowledge_base__brand=brand)


def public_translations(brand: Brand, language: str) -> QuerySet[ArticleTranslation]:
    """Return the published translations of live public articles (sitemap and feed)."""
    public = _public_articles(brand)
    return (
        ArticleTranslation.objects.filter(is_published=True, language=language, article__in=public)
        .select_related("knowledge_base")
        .order_by("-updated_at", "-pk")
    )


@dataclass
class SitemapEntry:
    path: str
    updated_at: Any
    alternates: list[tuple[str, str]]


# Search engines take up to 50,000 addresses per sitemap; smaller pages keep each response quick.
SITEMAP_PAGE_SIZE = 5_000


def sitemap_paginator(brand: Brand, language: str) -> Paginator:
    """Return the public articles in language as sitemap pages (one, empty, when none).

    Pages follow the translations' creation order, so an edit never moves an address to
    another page.
    """
    return Paginator(public_translations(brand, language).order_by("pk"), SITEMAP_PAGE_SIZE)


def sitemap_entries(page: Iterable[ArticleTranslation]) -> list[SitemapEntry]:
    """Return the addresses of these published translations, each with its other languages."""
    translations = list(page)
    others: dict[int, list[ArticleTranslation]] = {}
    for other in ArticleTranslation.objects.filter(
        is_published=True, article__in=[t.article_id for t in translations]
    ).only("article_id", "language", "slug"):
        others.setdefault(other.article_id, []).append(other)
    return [
        SitemapEntry(
            path=article_path(t.knowledge_base.slug, t.language, t.slug),
            updated_at=t.updated_at,
            alternates=[
                (o.language, article_path(t.knowledge_base.slug, o.language, o.slug))
                for o in others.get(t.article_id, [])
            ],
        )
        for t in translations
    ]


def article_path(kb_slug: str, language: str, slug: str) -> str:
    """Return the address of an article's text in language (whatever language is active)."""
    with translation.override(language):
        return reverse("kb:article", kwargs={"kb": kb_slug, "slug": slug})


def public_feed_entries(kb: KnowledgeBase, language: str, limit: int = 50) -> list[Any]:
    return list(public_translations(kb.brand, language).filter(knowledge_base=kb)[:limit])


def follow_ups_open(user: Any, *, owner: Any = None) -> QuerySet[ArticleFeedback]:
    """Return the "not helpful" comments waiting for a follow-up, oldest first (agents only).

    Given an owner, only the comments on the articles they own and on articles nobody owns
    (which nobody else would be shown).
    """
    found = access.visible(user, ArticleFeedback).filter(follow_up=ArticleFeedback.FollowUp.OPEN)
    if owner is not None:
        found = found.filter(Q(article__owner=owner) | Q(article__owner__isnull=True))
    return (
        found.select_related("article__knowledge_base", "article__owner", "user")
        .prefetch_related(_published_translations_for("article"))
        .order_by("created_at", "pk")
    )


def _published_translations_for(prefix: str) -> Prefetch:
    return Prefetch(
        f"{prefix}__translations",
        queryset=ArticleTranslation.objects.filter(is_published=True).only(*_TRANSLATION_FIELDS),
        to_attr="published",
    )


def feedback_get_for(user: Any, pk: int) -> ArticleFeedback:
    return access.get_visible_or_404(user, ArticleFeedback, pk=pk)


def export_entries(kb: KnowledgeBase) -> Iterator[Entry]:
    """Yield every published translation of kb as an import entry (for admins' exports).

    An article with no external id is exported as "madoguchi-<id>", which the import
    recognises, so an export imported back updates the same articles.
    """
    articles = (
        kb.articles.exclude(status=Article.Status.ARCHIVED)
        .select_related("section__category")
        .prefetch_related("tags", "organisations", "segments", _published_translations_full())
        .order_by("pk")
    )
    for article in articles.iterator(chunk_size=500):
        key = article.external_id or f"{OWN_ID_PREFIX}{article.pk}"
        section = article.section
        audience = _audience_entry(article)
        for shown in article.published:
            yield Entry(
                id=key,
                lang=shown.language,
                title=shown.title,
                body=shown.body,
                slug=shown.slug,
                category=section.category.slug if section else "",
                section=section.slug if section else "",
                tags=tuple(t.name for t in article.tags.all()),
                description=shown.meta_description,
                **audience,
            )


def _audience_entry(article: Article) -> dict[str, Any]:
    """Who may read the article, as an entry states it: exported and imported back, a
    restricted article stays restricted."""
    audience: dict[str, Any] = {"visibility": article.visibility}
    if article.visibility == Visibility.ORGANISATIONS:
        audience["organisations"] = tuple(sorted(o.slug for o in article.organisations.all()))
    elif article.visibility == Visibility.SEGMENTS:
        audience["segments"] = tuple(sorted(s.name for s in article.segments.all()))
    return audience


def _published_translations_full() -> Prefetch:
    return Prefetch(
        "translations",
        queryset=ArticleTranslation.objects.filter(is_published=True).order_by("language"),
        to_attr="published",
    )


# The help-centre API (api/kb.py): the same scopes as the pages, for integrations.

API_SORTS = {
    "position": ("section__category__position", "section__position", "position", "pk"),
    "updated": ("-updated_at", "-pk"),
    "popular": ("-view_count", "pk"),
}


@dataclass(frozen=True)
class ApiArticleFilter:
    knowledge_base: str = ""
    category: int | None = None
    section: int | None = None
    tag: str = ""
    sort: str = "position"


def api_articles(user: Any, brand: Brand, chosen: ApiArticleFilter) -> QuerySet[Article]:
    """Return the brand's live articles the user may read, narrowed and ordered as chosen."""
    articles = access.visible(user, Article).live().filter(knowledge_base__brand=brand)
    if chosen.knowledge_base:
        articles = articles.filter(knowledge_base__slug=chosen.knowledge_base)
    if chosen.category is not None:
        articles = articles.filter(section__category=chosen.category)
    if chosen.section is not None:
        articles = articles.filter(section=chosen.section)
    if chosen.tag:
        articles = articles.filter(tags__slug=chosen.tag)
    return (
        articles.select_related("knowledge_base")
        .prefetch_related(_published_translations(), "tags")
        .order_by(*API_SORTS.get(chosen.sort, API_SORTS["position"]))
    )


def api_article_get(user: Any, brand: Brand, pk: int) -> Article:
    """Return one live article of the brand the user may read, with its published texts whole;
    anything else is a 404, as if it did not exist."""
    articles = (
        Article.objects.live()
        .filter(knowledge_base__brand=brand)
        .select_related("knowledge_base", "section__category")
        .prefetch_related(_published_translations_full(), "tags")
    )
    return access.get_visible_or_404(user, articles, pk=pk)


def api_categories(user: Any, brand: Brand) -> list[tuple[KnowledgeBase, list[Category]]]:
    """Return, knowledge base by knowledge base, the categories and sections holding an article
    the user may read (as the help centre's home shows them)."""
    return [(kb, categories_for(user, kb)) for kb in knowledge_bases_for(user, brand)]
