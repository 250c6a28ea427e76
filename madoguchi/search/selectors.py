"""Reads: the search itself (lexical, semantic, hybrid; permission-aware) and the index status."""

import logging
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext as _

from madoguchi.search import embeddings, ranking, sources
from madoguchi.search.analysis import analyze
from madoguchi.search.engines import EngineUnavailableError, Filters, get_engine
from madoguchi.search.models import SearchDocument
from madoguchi.search.query import MAX_QUERY_CHARS, MAX_QUERY_GROUPS, ParsedQuery, parse_query

logger = logging.getLogger("madoguchi.search")

MODES = ("lexical", "semantic", "hybrid")
LEXICAL_CANDIDATES = 100
DENSE_CANDIDATES = 100
# A search kept to some scopes looks this deep into the dense ranking for its hundred: vectors
# are held in memory without their scopes, which are checked in the database.
DENSE_SCOPED_CANDIDATES = 1_000
# e5's cosines crowd together: an off-topic question still scores about 0.79-0.81 against the
# nearest help article, a real one at least about 0.83 (both development sets, English and
# Japanese, cross-lingual included). A document found only by meaning must reach this to be
# shown, so a question with no answer gets an honest empty result (and counts as a gap).
DENSE_MIN_COSINE = 0.82
STATS_CACHE_KEY = "search:stats"
STATS_CACHE_SECONDS = 60
# What a hit needs of its document: the text and tokens stay in the database (sources render
# their own snippets, for the hits they show).
_HIT_FIELDS = ("id", "source", "key", "title", "url", "lang")
# Documents read at first when picking the visible ones from a ranking (more only when needed).
_FIRST_BATCH = 50
# A Latin word begun is looked for from this many letters ("p" would be any word of a title);
# one kana or kanji already narrows.
MIN_LATIN_PREFIX = 2
# Hybrid: the fused top this deep is re-ranked on scores (ranking.blend).
RERANK_DEPTH = 50
# The query's vector is computed here while the lexical search runs in the request's thread:
# both wait mostly outside the GIL (numpy, SQLite or PostgreSQL), so a hybrid search takes
# about as long as the slower of the two instead of both.
_embedding = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-query-vector")


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    source: str
    key: str
    title: str
    url: str
    lang: str
    score: float


@dataclass
class SearchResults:
    query: ParsedQuery
    mode: str  # the mode that produced the results (lexical after a fallback)
    hits: list[SearchHit] = field(default_factory=list)
    notice: str = ""  # shown to the user: why results may be weaker than usual

    @property
    def suggestion(self) -> str:
        return self.query.suggestion


def _corpus_stats() -> ranking.CorpusStats:
    stats = cache.get(STATS_CACHE_KEY)
    if stats is None:
        found = SearchDocument.objects.aggregate(
            n=Count("id"), title=Avg("title_length"), body=Avg("body_length")
        )
        stats = ranking.CorpusStats(found["n"], found["title"] or 1.0, found["body"] or 1.0)
        cache.set(STATS_CACHE_KEY, stats, STATS_CACHE_SECONDS)
    return stats


def _fallback_candidates(parsed: ParsedQuery, filters: Filters) -> list[int]:
    """Substring match over the token columns, for when the engine's index is broken (F12)."""
    condition = Q()
    for token in parsed.tokens:
        condition |= Q(title_tokens__contains=token) | Q(body_tokens__contains=token)
    documents = _filtered(SearchDocument.objects.filter(condition), filters)
    return list(documents.values_list("id", flat=True)[:LEXICAL_CANDIDATES])


def _filtered(documents: QuerySet[SearchDocument], filters: Filters) -> QuerySet[SearchDocument]:
    """Keep to the filters as the engines do (Filters.sql), for searches outside them."""
    if filters.sources:
        documents = documents.filter(source__in=filters.sources)
    if filters.langs:
        documents = documents.filter(lang__in=filters.langs)
    for labels in filters.scopes:
        held = Q(scopes="")
        for label in labels:
            held |= Q(scopes__contains=sources.stored_label(label))
        documents = documents.filter(held)
    return documents


def _load_candidates(ids: Collection[int]) -> dict[int, ranking.Candidate]:
    rows = SearchDocument.objects.filter(id__in=ids).values_list(
        "id", "title_tokens", "body_tokens"
    )
    return {row[0]: ranking.Candidate(row[0], row[1].split(), row[2].split()) for row in rows}


def _lexical_scores(
    parsed: ParsedQuery, filters: Filters, results: SearchResults, ranked: int = 0
) -> tuple[dict[int, float], dict[int, ranking.Candidate]]:
    engine = get_engine(ranked)
    try:
        freqs = engine.doc_freqs(parsed.tokens)
        ids = engine.candidates(
            parsed.groups, filters=filters, limit=LEXICAL_CANDIDATES, freqs=freqs
        )
    except EngineUnavailableError:
        logger.exception("The search index is unavailable; using a simple substring match")
        results.notice = _("Search is running in a simplified mode; results may be less precise.")
        ids = _fallback_candidates(parsed, filters)
        freqs = dict.fromkeys(parsed.tokens, 1)
    candidates = _load_candidates(ids)
    scores = ranking.bm25_scores(list(candidates.values()), parsed.groups, freqs, _corpus_stats())
    return {key: score for key, score in scores.items() if score > 0}, candidates


def _dense(
    vector: np.ndarray, filters: Filters, extra: Collection[int]
) -> dict[int, embeddings.DenseHit]:
    index = embeddings.dense_index
    found = index.search(
        vector,
        limit=DENSE_SCOPED_CANDIDATES if filters.scopes else DENSE_CANDIDATES,
        sources=filters.sources,
        langs=filters.langs,
    )
    hits = {hit.document_id: hit for hit in found if hit.score >= DENSE_MIN_COSINE}
    if filters.scopes and hits:
        scoped = _filtered(SearchDocument.objects.filter(id__in=hits), filters)
        kept = set(scoped.values_list("id", flat=True))
        hits = {doc: hit for doc, hit in hits.items() if doc in kept}
        hits = dict(list(hits.items())[:DENSE_CANDIDATES])
    others = [doc for doc in extra if doc not in hits]
    if others:
        hits.update(index.scores_for(vector, others))
    return hits


def _hybrid(
    lexical: dict[int, float],
    dense: dict[int, embeddings.DenseHit],
    candidates: dict[int, ranking.Candidate],
    parsed: ParsedQuery,
) -> dict[int, float]:
    """Fuse lexical and dense evidence over the candidates of both, then re-rank the top."""
    fused = ranking.rrf(
        ranking.ranks(lexical),
        ranking.ranks({doc: hit.score for doc, hit in dense.items()}),
        ranking.ranks({doc: hit.title_score for doc, hit in dense.items()}),
    )
    top = _ordered(fused)[:RERANK_DEPTH]
    missing = [doc for doc in top if doc not in candidates]
    candidates = {**candidates, **_load_candidates(missing)} if missing else candidates
    coverage = {
        doc: ranking.title_coverage(candidates[doc], parsed.groups)
        for doc in top
        if doc in candidates
    }
    reranked = ranking.blend(top, lexical=lexical, dense=dense, title_coverage=coverage)
    # The re-ranked top stays above the rest, which keeps its fused order.
    floor = min(reranked.values(), default=0.0)
    return {**{doc: floor - 1 + fused[doc] for doc in fused}, **reranked}


def _ordered(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda doc: scores[doc], reverse=True)


def _visible(ordered: Sequence[int], viewer: Any, limit: int, offset: int) -> list[SearchDocument]:
    """Return the documents the viewer may see, in order, asking each source's visibility hook.

    Documents are read in batches down the ranking until enough are visible: a common word
    scores thousands, and a page shows ten. Batches grow for viewers who may see little.
    """
    wanted = offset + limit
    shown: list[SearchDocument] = []
    start, batch = 0, max(2 * wanted, _FIRST_BATCH)
    while start < len(ordered) and len(shown) < wanted:
        chunk = ordered[start : start + batch]
        documents = SearchDocument.objects.only(*_HIT_FIELDS).in_bulk(chunk)
        visible = _visible_keys(documents.values(), viewer)
        shown += [
            documents[doc]
            for doc in chunk
            if doc in documents and (documents[doc].source, documents[doc].key) in visible
        ]
        start, batch = start + batch, batch * 4
    return shown[offset:wanted]


def _visible_keys(documents: Iterable[SearchDocument], viewer: Any) -> set[tuple[str, str]]:
    by_source: dict[str, list[str]] = {}
    for doc in documents:
        by_source.setdefault(doc.source, []).append(doc.key)
    visible: set[tuple[str, str]] = set()
    for name, keys in by_source.items():
        try:
            source = sources.get(name)
        except sources.UnknownSourceError:
            continue  # a source whose app is gone shows nothing
        visible |= {(name, key) for key in source.visible(viewer, keys)}
    return visible


def search(  # noqa: PLR0913  (the search form's fields)
    text: str,
    *,
    viewer: Any,
    mode: str = "hybrid",
    limit: int = 10,
    offset: int = 0,
    source_names: Collection[str] = (),
    langs: Collection[str] = (),
    scopes: Sequence[Collection[str]] = (),
    ranked: int = 0,
) -> SearchResults:
    """Search every registered source for `text` as `viewer` may see it; never raises on input.

    `scopes`: sets of labels, one of each to hold (engines.Filters). `ranked` bounds the
    matches the lexical engine ranks (engines.plan); 0: RANKED_MATCHES.
    """
    mode = mode if mode in MODES else "hybrid"
    parsed = parse_query(text, engine=get_engine())
    results = SearchResults(query=parsed, mode=mode)
    if not parsed.groups and not parsed.semantic_text:
        return results
    filters = Filters(tuple(source_names), tuple(langs), tuple(map(tuple, scopes)))
    vector = None if mode == "lexical" else _query_vector(parsed, results)
    lexical, candidates = ({}, {})
    if results.mode != "semantic" and parsed.groups:
        lexical, candidates = _lexical_scores(parsed, filters, results, ranked)
    scores = lexical
    if vector is not None:
        try:
            dense = _dense(vector.result(), filters, lexical.keys())
        except embeddings.EmbeddingUnavailableError:
            _semantic_unavailable(results)
            if mode == "semantic" and parsed.groups:
                lexical, candidates = _lexical_scores(parsed, filters, results, ranked)
            scores = lexical
        else:
            scores = (
                {doc: hit.score for doc, hit in dense.items()}
                if mode == "semantic"
                else _hybrid(lexical, dense, candidates, parsed)
            )
    shown = _visible(_ordered(scores), viewer, limit, offset)
    results.hits = [_hit(doc, scores[doc.id]) for doc in shown]
    return results


def _query_vector(parsed: ParsedQuery, results: SearchResults) -> Future[np.ndarray] | None:
    """Start embedding the query beside the lexical search; None (and the search lexical) when
    the model is unavailable, or nothing is embedded yet (a new site, a backlog not started):
    a query vector would find nothing and costs 7-13 ms of CPU."""
    if not embeddings.model_available():
        _semantic_unavailable(results)
        return None
    embeddings.dense_index.refresh()
    if embeddings.dense_index.is_empty:
        results.mode = "lexical"
        return None
    return _embedding.submit(embeddings.embed_query, parsed.semantic_text)


def _semantic_unavailable(results: SearchResults) -> None:
    results.mode = "lexical"
    results.notice = _("Semantic search is unavailable; showing keyword matches only.")


def title_prefix_search(  # noqa: PLR0913  (the search form's fields)
    text: str,
    *,
    viewer: Any,
    limit: int,
    source_names: Collection[str] = (),
    langs: Collection[str] = (),
    scopes: Sequence[Collection[str]] = (),
    ranked: int = 0,
) -> list[SearchHit]:
    """Return documents whose title holds what is typed so far, its last word only begun (the
    header's suggestions); the viewer's only, in the engine's order. Never raises on input."""
    tokens = tuple(analyze(text[:MAX_QUERY_CHARS]))[:MAX_QUERY_GROUPS]
    if not tokens or (tokens[-1].isascii() and len(tokens[-1]) < MIN_LATIN_PREFIX):
        return []
    filters = Filters(tuple(source_names), tuple(langs), tuple(map(tuple, scopes)))
    try:
        ids = get_engine(ranked).title_prefix(tokens, filters=filters, limit=_FIRST_BATCH)
    except EngineUnavailableError:
        logger.exception("The search index is unavailable; no title suggestions")
        return []
    return [_hit(doc, 0.0) for doc in _visible(ids, viewer, limit, 0)]


def _hit(document: SearchDocument, score: float) -> SearchHit:
    return SearchHit(
        document_id=document.id,
        source=document.source,
        key=document.key,
        title=document.title,
        url=document.url,
        lang=document.lang,
        score=round(score, 6),
    )


@dataclass(frozen=True)
class IndexStatus:
    documents: int
    embedded: int
    backlog: int
    model_available: bool
    missing: int = 0  # documents a source has that the index lacks
    left_over: int = 0  # documents in the index that no source has any more

    @property
    def in_step(self) -> bool:
        """Whether the index holds exactly the sources' documents (else: search_reindex)."""
        return self.missing == 0 and self.left_over == 0

    @property
    def complete(self) -> bool:
        return self.backlog == 0 and self.in_step


def index_status() -> IndexStatus:
    """Return how much is indexed, whether it matches the sources' documents, and how many
    documents still wait for their vectors."""
    total = SearchDocument.objects.count()
    backlog = embeddings.stale_documents().count()
    missing = left_over = 0
    for source in sources.all_sources():
        if source.keys is None:
            continue
        expected = set(source.keys())
        indexed = set(
            SearchDocument.objects.filter(source=source.name).values_list("key", flat=True)
        )
        missing += len(expected - indexed)
        left_over += len(indexed - expected)
    return IndexStatus(
        total, total - backlog, backlog, embeddings.model_available(), missing, left_over
    )
