"""Search sources: how content apps (kb articles, later forum posts) plug into search.

Search knows no domain model. A content app registers a source once, in its AppConfig.ready():

    from madoguchi.search import sources

    sources.register(sources.SearchSource(
        name="kb.article",
        visible=articles_visible_keys,     # (viewer, keys) -> the subset of keys viewer may see
        documents=articles_as_documents,   # optional: every document, for `search_reindex`
    ))

and feeds documents through madoguchi.search.services: document_index(IndexedDocument(...)) when
an article is published or changed (from its own service, on commit), document_remove() when it
is unpublished or deleted. Every result passes through the source's `visible` hook before anyone
sees it, so results are exactly as permission-aware as the source's own scoping (R5).
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexedDocument:
    """One document as a source hands it to search: the fields searched and shown."""

    source: str
    key: str
    title: str
    body: str
    lang: str
    url: str = ""


# viewer (a user or AnonymousUser; None for internal callers) and candidate keys → visible keys.
VisibilityHook = Callable[[Any, Collection[str]], Collection[str]]


@dataclass(frozen=True)
class SearchSource:
    name: str
    visible: VisibilityHook
    documents: Callable[[], Iterable[IndexedDocument]] | None = None


class UnknownSourceError(LookupError):
    """A programming error: a document names a source that no app registered."""


_registry: dict[str, SearchSource] = {}


def register(source: SearchSource) -> None:
    """Register (or replace, for tests and reloads) the source called `source.name`."""
    _registry[source.name] = source


def unregister(name: str) -> None:
    _registry.pop(name, None)


def get(name: str) -> SearchSource:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownSourceError(f"No search source is registered as {name!r}") from None


def all_sources() -> list[SearchSource]:
    return list(_registry.values())
