"""A search source for tests: documents whose key starts with "internal-" are for staff only,
"org-<slug>-" for members of that organisation, everything else is public."""

from collections.abc import Collection, Iterator
from typing import Any

import pytest

from madoguchi.search import embeddings, services, sources
from madoguchi.search.sources import IndexedDocument

SOURCE = "test.doc"


def _visible(viewer: Any, keys: Collection[str]) -> list[str]:
    is_staff = bool(getattr(viewer, "is_staff", False))
    slugs = (
        set(viewer.memberships.values_list("organisation__slug", flat=True))
        if getattr(viewer, "is_authenticated", False)
        else set()
    )
    shown = []
    for key in keys:
        if key.startswith("internal-"):
            if is_staff:
                shown.append(key)
        elif key.startswith("org-"):
            if key.split("-")[1] in slugs:
                shown.append(key)
        else:
            shown.append(key)
    return shown


@pytest.fixture(autouse=True)
def test_source() -> Iterator[None]:
    sources.register(sources.SearchSource(name=SOURCE, visible=_visible))
    embeddings.dense_index.invalidate()
    yield
    sources.unregister(SOURCE)


def index(
    key: str, title: str, body: str = "", lang: str = "", scopes: tuple[str, ...] = ()
) -> None:
    services.document_index(
        IndexedDocument(
            source=SOURCE, key=key, title=title, body=body, lang=lang, url=f"/d/{key}",
            scopes=scopes,
        )
    )  # fmt: skip


@pytest.fixture(scope="session")
def model() -> None:
    """Load the embedding model once for the whole session (it takes seconds); skip nothing."""
    assert embeddings.model_available()
