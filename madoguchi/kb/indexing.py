"""The knowledge base as a search source: each published translation of an article is a document.

kb depends on search, never the reverse: this module registers the source (its documents and its
visibility hook) and keeps the index in step with the articles. Any write to an article or one of
its translations (the services, the admin, an import) refreshes the article's documents once the
transaction commits, so the index never shows text that was rolled back (bulk writers, which
bypass model signals, call articles_index_later themselves); `search_reindex`
rebuilds everything from the articles if a process died between the commit and the refresh.

Visibility is decided at query time by the same access scopes as the reader pages (core.access),
narrowed to live articles for everyone, agents included: a draft's text may sit in the index
before its publication time, but nobody finds it there until it is live.
"""

from collections.abc import Collection, Iterator
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from madoguchi.core import access
from madoguchi.core.markdown import plain_text
from madoguchi.kb.models import Article, ArticleTranslation, live_condition
from madoguchi.kb.selectors import article_path
from madoguchi.search import services as search_services
from madoguchi.search import sources
from madoguchi.search.sources import IndexedDocument

SOURCE = "kb.article"
# Statuses whose published text belongs in the index (scheduled ones wait there for their time).
INDEXED_STATUSES = (Article.Status.PUBLISHED, Article.Status.SCHEDULED)
REFRESH_BATCH = 500


MAX_ID_DIGITS = 18


def document_key(article_id: int, language: str) -> str:
    return f"{article_id}.{language}"


def parse_key(key: str) -> tuple[int, str] | None:
    """Return (article id, language) of a document key, or None for a malformed one."""
    article, _dot, language = key.partition(".")
    # ASCII digits only ("²" is a digit to str.isdigit) and no more than a database id holds.
    well_formed = article.isascii() and article.isdigit() and len(article) <= MAX_ID_DIGITS
    return (int(article), language) if well_formed and language else None


def _as_document(translation: ArticleTranslation) -> IndexedDocument:
    return IndexedDocument(
        source=SOURCE,
        key=document_key(translation.article_id, translation.language),
        title=translation.title,
        body=plain_text(translation.body_html),
        lang=translation.language,
        url=article_path(
            translation.article.knowledge_base.slug, translation.language, translation.slug
        ),
    )


def _indexed_translations() -> Any:
    return ArticleTranslation.objects.filter(
        is_published=True, article__status__in=INDEXED_STATUSES
    ).select_related("article__knowledge_base")


def all_documents() -> Iterator[IndexedDocument]:
    """Yield every document of the source (for search_reindex)."""
    for translation in _indexed_translations().iterator(chunk_size=500):
        yield _as_document(translation)


def visible_keys(viewer: Any, keys: Collection[str]) -> list[str]:
    """Return the keys whose article text the viewer may read now, through kb's access scopes."""
    wanted = [parsed for parsed in map(parse_key, keys) if parsed is not None]
    if not wanted:
        return []
    readable = (
        access.visible(viewer, ArticleTranslation)
        .filter(live_condition("article__"))
        .filter(is_published=True, article_id__in={article for article, _language in wanted})
        .values_list("article_id", "language")
    )
    return [document_key(article, language) for article, language in readable]


def articles_index_refresh(article_ids: Collection[int]) -> None:
    """Index the articles' published translations as they are now; drop the ones no longer so."""
    ids = list(article_ids)
    for start in range(0, len(ids), REFRESH_BATCH):
        _refresh_batch(ids[start : start + REFRESH_BATCH])


def _refresh_batch(ids: list[int]) -> None:
    current = {
        document_key(t.article_id, t.language): t
        for t in _indexed_translations().filter(article_id__in=ids)
    }
    every = ArticleTranslation.objects.filter(article_id__in=ids).values_list(
        "article_id", "language"
    )
    for article_id, language in every:
        key = document_key(article_id, language)
        if key not in current:
            search_services.document_remove(source=SOURCE, key=key)
    if current:
        search_services.documents_index(_as_document(t) for t in current.values())


def article_index_refresh(article_id: int) -> None:
    articles_index_refresh([article_id])


def articles_index_later(article_ids: Collection[int]) -> None:
    """Refresh the articles' documents once the current transaction commits (bulk writers)."""
    transaction.on_commit(partial(articles_index_refresh, list(article_ids)))


def article_index_forget(article_id: int, language: str) -> None:
    search_services.document_remove(source=SOURCE, key=document_key(article_id, language))


def _article_saved(sender: type, instance: Article, **kwargs: Any) -> None:
    transaction.on_commit(partial(article_index_refresh, instance.pk))


def _translation_saved(sender: type, instance: ArticleTranslation, **kwargs: Any) -> None:
    transaction.on_commit(partial(article_index_refresh, instance.article_id))


def _translation_deleted(sender: type, instance: ArticleTranslation, **kwargs: Any) -> None:
    transaction.on_commit(partial(article_index_forget, instance.article_id, instance.language))


def register() -> None:
    """Declare the source and follow the article tables (called from KbConfig.ready)."""
    sources.register(
        sources.SearchSource(name=SOURCE, visible=visible_keys, documents=all_documents)
    )
    post_save.connect(_article_saved, sender=Article, dispatch_uid="kb-index-article")
    post_save.connect(_translation_saved, sender=ArticleTranslation, dispatch_uid="kb-index-tr")
    # Deleting an article cascades to its translations, which removes their documents.
    post_delete.connect(
        _translation_deleted, sender=ArticleTranslation, dispatch_uid="kb-index-del"
    )
