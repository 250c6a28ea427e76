"""Reads behind the help centre's search surfaces: the search page, suggestions, the API.

Every hit comes from madoguchi.search (already narrowed by the kb source's visibility hook) and
is matched again with the reader's translations through core.access before it is shown, so a
document whose article changed since it was indexed shows nothing it should not (R5).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from madoguchi.core import access
from madoguchi.core.markdown import plain_text
from madoguchi.kb.indexing import SOURCE, brand_label, document_key, parse_key
from madoguchi.kb.models import (
    ArticleTranslation,
    Category,
    KnowledgeBase,
    live_condition,
)
from madoguchi.kb.scopes import reader_labels
from madoguchi.kb.selectors import article_path
from madoguchi.search import selectors as search
from madoguchi.search.analysis import marked_words
from madoguchi.search.engines import SUGGESTION_MATCHES

# Hits fetched before the kb filters and pagination apply: pages go no deeper than this.
CANDIDATES = 100
SNIPPET_CHARS = 220
SUGGESTIONS = 8
_MIN_ASCII_TERM = 2
# NUL and other control characters mean nothing to a search, and PostgreSQL refuses NUL in text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_QUERY_CHARS = 500


def clean_query(text: str) -> str:
    """Return what a person typed, cut to a sane length, control characters turned into spaces."""
    return " ".join(_CONTROL.sub(" ", text[:MAX_QUERY_CHARS]).split())


@dataclass(frozen=True)
class SearchFilters:
    kb: str = ""
    category: str = ""
    language: str = ""

    @property
    def langs(self) -> list[str]:
        return [self.language] if self.language else []


@dataclass
class ArticleHit:
    article_id: int
    external_id: str
    language: str
    title: str
    url: str
    score: float
    kb_name: str
    category_name: str
    translation_id: int
    terms: tuple[str, ...] = ()
    # The article's text, read by load_bodies() for the hits shown only (a search finds up to
    # CANDIDATES, a page shows ten).
    body_html: str | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return document_key(self.article_id, self.language)

    @cached_property
    def title_html(self) -> SafeString:
        """The title with the words searched marked (worked out only for hits shown)."""
        return highlight(self.title, list(self.terms))

    @cached_property
    def snippet(self) -> str:
        """The passage around the first word searched (worked out only for hits shown)."""
        if self.body_html is None:
            raise RuntimeError("load_bodies() reads the text of the hits to show first")
        return snippet(plain_text(self.body_html), list(self.terms))

    @cached_property
    def snippet_html(self) -> SafeString:
        return highlight(self.snippet, list(self.terms))


@dataclass
class ArticleSearch:
    query: str
    normalized: str
    mode: str
    notice: str = ""
    suggestion: str = ""
    hits: list[ArticleHit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.hits)


def query_terms(text: str) -> list[str]:
    """Return the words of a query worth marking in results (longest first), as the analyser
    splits them (search.analysis.marked_words)."""
    words = {w for w in marked_words(text) if not w.isascii() or len(w) >= _MIN_ASCII_TERM}
    return sorted(words, key=len, reverse=True)[:20]


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """Match the terms; an English one from the start of a word, with the rest of the word (a
    stem marks its forms: configur → Configuring)."""
    if not terms:
        return None
    parts = [rf"\b{re.escape(t)}\w*" if t.isascii() else re.escape(t) for t in terms]
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """Return text escaped, with the query's words wrapped in <mark> (only our own markup)."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return escape(text)
    marked, last = SafeString(), 0
    for match in pattern.finditer(text):
        marked += escape(text[last : match.start()]) + format_html("<mark>{}</mark>", match.group())
        last = match.end()
    return marked + escape(text[last:])


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """Return about `width` characters of text around the first word of the query found."""
    text = " ".join(text.split())
    pattern = _term_pattern(terms)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - width // 3) if found else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


@dataclass(frozen=True)
class _Readable:
    """What a hit shows of a published translation the reader may read (no text: see
    load_bodies); read as plain rows, a search looks at up to CANDIDATES of them."""

    translation_id: int
    article_id: int
    language: str
    title: str
    slug: str
    external_id: str
    knowledge_base: KnowledgeBase
    category: Category | None


_READABLE_COLUMNS = (
    "pk", "article_id", "language", "title", "slug", "article__external_id",
    "article__knowledge_base_id", "article__knowledge_base__brand_id",
    "article__knowledge_base__slug", "article__knowledge_base__name_en",
    "article__knowledge_base__name_ja", "article__section__category_id",
    "article__section__category__slug", "article__section__category__name_en",
    "article__section__category__name_ja",
)  # fmt: skip


def _readable_rows(translations: QuerySet[ArticleTranslation]) -> list[_Readable]:
    """Read the rows in one query; knowledge bases and categories are few, made once each."""
    bases: dict[int, KnowledgeBase] = {}
    categories: dict[int, Category] = {}
    found = []
    for row in translations.values_list(*_READABLE_COLUMNS):
        kb_id, brand_id, kb_slug, kb_en, kb_ja, category_id, slug, name_en, name_ja = row[6:]
        if kb_id not in bases:
            bases[kb_id] = KnowledgeBase(
                pk=kb_id, brand_id=brand_id, slug=kb_slug, name_en=kb_en, name_ja=kb_ja
            )
        if category_id is not None and category_id not in categories:
            categories[category_id] = Category(
                pk=category_id, slug=slug, name_en=name_en, name_ja=name_ja
            )
        found.append(
            _Readable(*row[:6], knowledge_base=bases[kb_id], category=categories.get(category_id))
        )
    return found


def _readable_translations(viewer: Any) -> QuerySet[ArticleTranslation]:
    return access.visible(viewer, ArticleTranslation).filter(
        live_condition("article__"), is_published=True
    )


def _translations(viewer: Any, ids: set[int]) -> dict[tuple[int, str], _Readable]:
    found = _readable_rows(_readable_translations(viewer).filter(article_id__in=ids))
    return {(row.article_id, row.language): row for row in found}


def load_bodies(hits: Iterable[ArticleHit]) -> None:
    """Read the text of the hits about to be shown, in one query (they were found readable)."""
    wanting = [hit for hit in hits if hit.body_html is None]
    if not wanting:
        return
    bodies = dict(
        ArticleTranslation.objects.filter(pk__in=[hit.translation_id for hit in wanting])
        .values_list("pk", "body_html")
    )  # fmt: skip
    for hit in wanting:
        hit.body_html = bodies.get(hit.translation_id, "")


def _wanted(shown: _Readable, brand: Any, filters: SearchFilters) -> bool:
    if brand is not None and shown.knowledge_base.brand_id != brand.pk:
        return False
    if filters.kb and shown.knowledge_base.slug != filters.kb:
        return False
    category = shown.category
    return not filters.category or (category is not None and category.slug == filters.category)


def _hit(shown: _Readable, found: Any, terms: list[str]) -> ArticleHit:
    return ArticleHit(
        article_id=shown.article_id,
        external_id=shown.external_id,
        language=shown.language,
        title=shown.title,
        url=found.url,
        score=found.score,
        kb_name=shown.knowledge_base.name,
        category_name=shown.category.name if shown.category else "",
        translation_id=shown.translation_id,
        terms=tuple(terms),
    )


def articles_search(  # noqa: PLR0913  (the search form's fields)
    viewer: Any,
    text: str,
    *,
    brand: Any = None,
    filters: SearchFilters | None = None,
    mode: str = "hybrid",
    limit: int = CANDIDATES,
    ranked: int = 0,
) -> ArticleSearch:
    """Search the articles the viewer may read; never raises on what a user typed.

    limit bounds the hits asked of the engine: pages with knowledge-base filters need the full
    CANDIDATES to filter from, a short list (suggestions, widget) only what it shows. ranked
    bounds the matches the engine ranks (0: its default; suggestions rank fewer).
    """
    filters = filters or SearchFilters()
    text = clean_query(text)
    results = search.search(
        text,
        viewer=viewer,
        mode=mode,
        limit=limit,
        source_names=[SOURCE],
        langs=filters.langs,
        scopes=_scopes(viewer, brand, filters),
        ranked=ranked,
    )
    found = ArticleSearch(
        query=results.query.text,
        normalized=results.query.normalized,
        mode=results.mode,
        notice=results.notice,
        suggestion=results.suggestion,
    )
    found.hits = _article_hits(viewer, results.hits, brand, filters, query_terms(text))
    return found


def _labels(kind: str, containers: QuerySet[Any]) -> tuple[str, ...]:
    return tuple(f"{kind}:{pk}" for pk in containers.values_list("pk", flat=True))


def _scopes(viewer: Any, brand: Any, filters: SearchFilters) -> list[tuple[str, ...]]:
    """Return the scope labels (kb.indexing) a search keeps to inside the engine: the reader's
    audience, the brand, and the filters chosen. _wanted checks the same on the hits."""
    scopes = []
    if (audience := reader_labels(viewer)) is not None:
        scopes.append(audience)
    bases = KnowledgeBase.objects.all()
    if brand is not None:
        scopes.append((brand_label(brand.pk),))
        bases = bases.filter(brand=brand)
    if filters.kb:
        scopes.append(_labels("kb", bases.filter(slug=filters.kb)))
    if filters.category:
        chosen = Category.objects.filter(knowledge_base__in=bases, slug=filters.category)
        scopes.append(_labels("category", chosen))
    return scopes


def _article_hits(
    viewer: Any, hits: list[search.SearchHit], brand: Any, filters: SearchFilters, terms: list[str]
) -> list[ArticleHit]:
    """Match search hits with the translations the viewer may read, in order, filtered."""
    keys = [parse_key(hit.key) for hit in hits]
    readable = _translations(viewer, {key[0] for key in keys if key})
    shown = []
    for hit, key in zip(hits, keys, strict=True):
        row = readable.get(key) if key else None
        if row is not None and _wanted(row, brand, filters):
            shown.append(_hit(row, hit, terms))
    return shown


def title_suggestions(
    viewer: Any, text: str, *, brand: Any = None, language: str = ""
) -> list[ArticleHit]:
    """Return a few article titles for what is typed so far: word matches, then title starts."""
    text = clean_query(text)[:200]
    if not text:
        return []
    filters = SearchFilters(language=language)
    hits = articles_search(
        viewer,
        text,
        brand=brand,
        filters=filters,
        mode="lexical",
        limit=SUGGESTIONS,
        ranked=SUGGESTION_MATCHES,
    ).hits
    if len(hits) >= SUGGESTIONS:
        return hits  # titles begun like this would come after these: spare the search for them
    begun = search.title_prefix_search(
        text,
        viewer=viewer,
        limit=SUGGESTIONS,
        source_names=[SOURCE],
        langs=filters.langs,
        scopes=_scopes(viewer, brand, filters),
        ranked=SUGGESTION_MATCHES,
    )
    shown = {(hit.article_id, hit.language) for hit in hits}
    for hit in _article_hits(viewer, begun, brand, filters, query_terms(text)):
        if (hit.article_id, hit.language) not in shown:
            hits.append(hit)
    return hits[:SUGGESTIONS]


def hit_url(viewer: Any, key: str) -> str:
    """Return the address of a search result the viewer may read, or "" for anything else."""
    parsed = parse_key(key)
    if parsed is None:
        return ""
    shown = _translations(viewer, {parsed[0]}).get(parsed)
    if shown is None:
        return ""
    return article_path(shown.knowledge_base.slug, shown.language, shown.slug)
