"""Writes: indexing documents for their sources, computing embeddings, synonyms, the search log."""

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from madoguchi.search import embeddings, sources
from madoguchi.search.analysis import PARTS_STOP, analyze, detect_language, normalize
from madoguchi.search.models import SearchChunk, SearchDocument, SearchLog, Synonym
from madoguchi.search.query import forget_synonyms
from madoguchi.search.sources import IndexedDocument

BULK_BATCH = 500
# A draft's search log entry is brought up to date while its writer keeps writing this long.
DRAFT_MINUTES = 30
EMBED_BATCH = 32
_DOCUMENT_FIELDS = [
    "lang",
    "title",
    "body",
    "url",
    "scopes",
    "title_tokens",
    "body_tokens",
    "title_length",
    "body_length",
    "content_hash",
    # A re-indexed document is newer even when its text is not (its visibility changed): the
    # "did you mean" vocabulary of public titles is rebuilt when this moves.
    "updated_at",
]


def _content_hash(title: str, body: str) -> str:
    text = "\0".join(chunk.text for chunk in embeddings.chunk_texts(title, body))
    return hashlib.sha256(f"{embeddings.MODEL_NAME}\0{text}".encode()).hexdigest()


def token_columns(title: str, body: str) -> dict[str, str | int]:
    """Return a document's analysed columns (its tokens and their counts) for its text."""
    title_tokens = analyze(title, compounds=True)
    body_tokens = analyze(body, compounds=True)
    return {
        "title_tokens": " ".join(title_tokens),
        "body_tokens": " ".join(body_tokens),
        "title_length": len(title_tokens) - title_tokens.count(PARTS_STOP),
        "body_length": len(body_tokens) - body_tokens.count(PARTS_STOP),
    }


def _document(item: IndexedDocument) -> SearchDocument:
    sources.get(item.source)  # a document of an unregistered source could never be shown
    return SearchDocument(
        source=item.source,
        key=str(item.key),
        lang=item.lang or detect_language(f"{item.title} {item.body}"),
        title=item.title[:500],
        body=item.body,
        url=item.url,
        scopes=sources.scopes_text(item.scopes),
        content_hash=_content_hash(item.title, item.body),
        **token_columns(item.title, item.body),
    )


def _embed_later() -> None:
    if not settings.SEARCH_SEMANTIC:
        # Switched off: a queued task could only fail; the backlog waits until it is switched on.
        return
    from madoguchi.search.tasks import embeddings_compute_task

    transaction.on_commit(embeddings_compute_task.enqueue)


def documents_index(items: Iterable[IndexedDocument]) -> int:
    """Add or update documents (by source and key) in the index; return how many were written.

    Lexical indexing happens in this transaction; embeddings are computed afterwards by a
    low-priority background task, which picks up every document whose text changed.
    """
    count = 0
    batch: list[SearchDocument] = []
    with transaction.atomic():
        for item in items:
            batch.append(_document(item))
            if len(batch) >= BULK_BATCH:
                count += _write(batch)
                batch = []
        count += _write(batch)
        if count:
            _embed_later()
    return count


def _write(batch: list[SearchDocument]) -> int:
    if batch:
        SearchDocument.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["source", "key"],
            update_fields=_DOCUMENT_FIELDS,
        )
    return len(batch)


def documents_relabel(source: str, labels: Iterable[tuple[str, Iterable[str]]]) -> int:
    """Replace the scope labels of the source's documents, given as (key, labels), leaving their
    text as indexed (keys not in the index are passed over). Return how many changed."""
    changed = 0
    for batch in batched(labels, BULK_BATCH):
        wanted = {str(key): sources.scopes_text(found) for key, found in batch}
        documents = SearchDocument.objects.filter(source=source, key__in=list(wanted))
        stale = [
            doc for doc in documents.only("id", "key", "scopes") if doc.scopes != wanted[doc.key]
        ]
        now = timezone.now()
        for document in stale:
            # Newer, as a re-indexed document is: what a visitor may read may have changed.
            document.scopes, document.updated_at = wanted[document.key], now
        SearchDocument.objects.bulk_update(stale, ["scopes", "updated_at"])
        changed += len(stale)
    return changed


def document_index(item: IndexedDocument) -> None:
    """Add or update one document; call it when the content is published or changed."""
    documents_index([item])


def document_remove(*, source: str, key: str) -> None:
    """Take a document out of the index (unpublished, deleted): it is found no more at once."""
    SearchDocument.objects.filter(source=source, key=str(key)).delete()
    embeddings.dense_index.invalidate()


def source_reindex(name: str) -> int:
    """Replace every document of a source with what the source lists now."""
    source = sources.get(name)
    if source.documents is None:
        return 0
    with transaction.atomic():
        items = list(source.documents())
        keys = {str(item.key) for item in items}
        SearchDocument.objects.filter(source=name).exclude(key__in=keys).delete()
        return documents_index(items)


def embeddings_compute(*, limit: int = 200) -> int:
    """Embed up to `limit` documents of the backlog; return how many were done.

    Raises EmbeddingUnavailableError when the model cannot load (the task retries later).
    A document changed while it was being embedded stays in the backlog: its vectors are marked
    with the hash of the text they were computed from.
    """
    done = 0
    pending = (
        embeddings.stale_documents()
        .order_by("id")
        .values_list("id", "title", "body", "content_hash")[:limit]
    )
    rows = list(pending)
    for start in range(0, len(rows), EMBED_BATCH):
        done += _embed_batch(rows[start : start + EMBED_BATCH])
    return done


def _embed_batch(rows: list[tuple[int, str, str, str]]) -> int:
    planned = [(row[0], row[3], embeddings.chunk_texts(row[1], row[2])) for row in rows]
    texts = [chunk.text for _, _, chunks in planned for chunk in chunks]
    vectors = iter(embeddings.embed_passages(texts))
    with transaction.atomic():
        for document_id, content_hash, chunks in planned:
            SearchChunk.objects.filter(document_id=document_id).delete()
            SearchChunk.objects.bulk_create(
                SearchChunk(
                    document_id=document_id,
                    kind=chunk.kind,
                    ordinal=chunk.ordinal,
                    model=embeddings.MODEL_NAME,
                    vector=embeddings.vector_to_bytes(next(vectors)),
                )
                for chunk in chunks
            )
            SearchDocument.objects.filter(id=document_id).update(embedded_hash=content_hash)
    embeddings.dense_index.invalidate()
    return len(planned)


def synonym_create(*, terms: str) -> Synonym:
    synonym = Synonym(terms=terms)
    synonym.full_clean()
    synonym.save()
    # Now for this process, and after commit for readers that cached the old groups meanwhile.
    forget_synonyms()
    transaction.on_commit(forget_synonyms)
    return synonym


def search_log_record(  # noqa: PLR0913  (the columns of one log entry)
    *,
    query: str,
    normalized_query: str,
    mode: str,
    result_count: int,
    user: Any = None,
    surface: str = "",
    scope: str = "",
    draft_of: int | None = None,
) -> SearchLog:
    """Record one search as typed by a person; return the entry so clicks can refer to it.

    draft_of names the entry logged for the same text while it was shorter (the request form
    searches as the customer writes). That entry is brought up to date instead of adding one,
    unless a result was opened from it or it is older than DRAFT_MINUTES: a draft is one entry
    however often its writer pauses, and its half-typed words are no zero-result searches.
    """
    columns = {
        "query": query[:500],
        "normalized_query": (normalized_query or " ".join(normalize(query).split()))[:500],
        "lang": detect_language(query),
        "mode": mode,
        "result_count": result_count,
    }
    if draft_of is not None:
        since = timezone.now() - timedelta(minutes=DRAFT_MINUTES)
        still_a_draft = SearchLog.objects.filter(
            pk=draft_of, surface=surface, clicked_key="", created_at__gte=since
        )
        if still_a_draft.update(**columns):
            return SearchLog.objects.get(pk=draft_of)
    return SearchLog.objects.create(
        surface=surface,
        scope=scope,
        user=user if getattr(user, "is_authenticated", False) else None,
        **columns,
    )


def search_log_click(entry_id: int, *, source: str, key: str) -> None:
    """Remember which result the searcher opened (the first click counts)."""
    SearchLog.objects.filter(id=entry_id, clicked_key="").update(
        clicked_source=source, clicked_key=str(key)
    )


def search_log_request_followed(entry_id: int) -> None:
    """Mark that the searcher went on to submit a request: the search did not answer them."""
    SearchLog.objects.filter(id=entry_id).update(followed_by_request=True)


def search_logs_request_followed(entry_ids: Iterable[int]) -> int:
    """Mark several entries (one visitor's recent searches) as followed by a request."""
    return SearchLog.objects.filter(id__in=list(entry_ids)).update(followed_by_request=True)
