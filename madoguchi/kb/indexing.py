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

Each document also carries scope labels (its brand, knowledge base and category, and who may read
it: kb.scopes.article_labels), so searches keep to a brand, a filter and a reader's audience
inside the engine. Moving articles between containers, or changing who may read them, relabels
their documents without analysing their text again.
"""

from collections.abc import Collection, Iterator
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from madoguchi.core import access
from madoguchi.core.markdown import plain_text
from madoguchi.kb.models import Article, ArticleTranslation, KnowledgeBase, Section, live_condition
from madoguchi.kb.scopes import article_labels
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


def brand_label(brand_id: int) -> str:
    """The scope label of a brand: on its articles' documents, and on the searches typed there."""
    return f"brand:{brand_id}"


def _scopes(article: Article) -> tuple[str, ...]:
    """Return the labels of the article's documents: where it is, and who may read it."""
    knowledge_base = article.knowledge_base
    labels = [brand_label(knowledge_base.brand_id), f"kb:{knowledge_base.pk}"]
    if article.section is not None:
        labels.append(f"category:{article.section.category_id}")
    return (*labels, *article_labels(article))


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
        scopes=_scopes(translation.article),
    )


def _published_translations() -> Any:
    return ArticleTranslation.objects.filter(
        is_published=True, article__status__in=INDEXED_STATUSES
    )


def _indexed_translations() -> Any:
    return (
        _published_translations()
        .select_related("article__knowledge_base", "article__section")
        .prefetch_related("article__organisations", "article__segments")
    )


def all_keys() -> Iterator[str]:
    """Yield the key of every document the source has (for search_status)."""
    rows = _published_translations().values_list("article_id", "language")
    for article_id, language in rows.iterator(chunk_size=2000):
        yield document_key(article_id, language)


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


def articles_relabel(articles: Any) -> int:
    """Bring the scope labels of the articles' documents up to date (a queryset of Article,
    moved or shared anew); their text stays as indexed. Return how many documents changed."""
    labelled = (
        articles.select_related("knowledge_base", "section")
        .prefetch_related("organisations", "segments")
        .iterator(chunk_size=REFRESH_BATCH)
    )
    return search_services.documents_relabel(
        SOURCE,
        (
            (document_key(article.pk, language), _scopes(article))
            for article in labelled
            for language, _name in settings.LANGUAGES
        ),
    )


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


def _audience_changed(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """An article's organisations or segments changed: relabel who may read its documents.
    (A clear from the organisation's side leaves labels broader than the access, which the
    visibility hook narrows; labels too narrow would hide articles from their readers.)"""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    ids = [instance.pk] if not reverse else sorted(pk_set or ())
    if ids:
        transaction.on_commit(partial(_relabel, pk__in=ids))


# What moves a container's articles elsewhere: a section's category, a knowledge base's brand.
_PLACE_FIELD = {Section: "category_id", KnowledgeBase: "brand_id"}


def _container_saving(sender: type, instance: Any, **kwargs: Any) -> None:
    """Note whether the section or knowledge base about to be saved moves (renames and new
    positions leave its articles' labels as they are)."""
    if instance._state.adding:
        return
    field = _PLACE_FIELD[sender]
    before = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
    instance._kb_moved = before is not None and before != getattr(instance, field)


def _container_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """A section moved to another category, or a knowledge base to another brand: relabel."""
    if getattr(instance, "_kb_moved", False):
        field = "section" if sender is Section else "knowledge_base"
        transaction.on_commit(partial(_relabel, **{field: instance.pk}))


def _relabel(**lookup: Any) -> None:
    articles_relabel(Article.objects.filter(**lookup))


def register() -> None:
    """Declare the source and follow the article tables (called from KbConfig.ready)."""
    sources.register(
        sources.SearchSource(
            name=SOURCE, visible=visible_keys, documents=all_documents, keys=all_keys
        )
    )
    post_save.connect(_article_saved, sender=Article, dispatch_uid="kb-index-article")
    post_save.connect(_translation_saved, sender=ArticleTranslation, dispatch_uid="kb-index-tr")
    # Deleting an article cascades to its translations, which removes their documents.
    post_delete.connect(
        _translation_deleted, sender=ArticleTranslation, dispatch_uid="kb-index-del"
    )
    for field in ("organisations", "segments"):
        m2m_changed.connect(
            _audience_changed,
            sender=getattr(Article, field).through,
            dispatch_uid=f"kb-index-{field}",
        )
    for container in _PLACE_FIELD:
        uid = f"kb-index-{container._meta.model_name}"
        pre_save.connect(_container_saving, sender=container, dispatch_uid=uid)
        post_save.connect(_container_saved, sender=container, dispatch_uid=uid)
