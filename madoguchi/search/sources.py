"""Search sources: how content apps (kb articles, later forum posts) plug into search.

Search knows no domain model. A content app registers a source once, in its AppConfig.ready():

    from madoguchi.search import sources

    sources.register(sources.SearchSource(
        name="kb.article",
        visible=articles_visible_keys,     # (viewer, keys) -> the subset of keys viewer may see
        documents=articles_as_documents,   # optional: every document, for `search_reindex`
        keys=article_keys,                 # optional: every document's key, for `search_status`
    ))

and feeds documents through madoguchi.search.services: document_index(IndexedDocument(...)) when
an article is published or changed (from its own service, on commit), document_remove() when it
is unpublished or deleted. Every result passes through the source's `visible` hook before anyone
sees it, so results are exactly as permission-aware as the source's own scoping (R5).
"""

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

# A scope label: lower-case letters, digits, ":" and "-" (no space, and no LIKE wildcard).
_LABEL = re.compile(r"[a-z0-9:-]+")


@dataclass(frozen=True)
class IndexedDocument:
    """One document as a source hands it to search: the fields searched and shown.

    `scopes` label where the document belongs ("brand:2", "kb:5") and who it is for: a search
    can keep to some labels inside the engine (engines.Filters), before its ranking is cut to
    the best hundred, so a narrow search is not left with the few of that hundred it may show.
    Labels only narrow: the source's visibility hook still decides what anyone sees.
    """

    source: str
    key: str
    title: str
    body: str
    lang: str
    url: str = ""
    scopes: tuple[str, ...] = ()


class InvalidScopeError(ValueError):
    """A programming error: a source gave a scope label outside the allowed characters."""


def scopes_text(labels: Iterable[str]) -> str:
    """Return the labels as stored: each between spaces, so one is matched whole; "" for none."""
    labels = sorted(set(labels))
    for label in labels:
        if not _LABEL.fullmatch(label):
            raise InvalidScopeError(f"Scope labels are [a-z0-9:-]+, not {label!r}")
    return f" {' '.join(labels)} " if labels else ""


def stored_label(label: str) -> str:
    """Return what the scopes column holds of a label wherever it holds it (see scopes_text)."""
    return f" {label} "


# viewer (a user or AnonymousUser; None for internal callers) and candidate keys → visible keys.
VisibilityHook = Callable[[Any, Collection[str]], Collection[str]]


@dataclass(frozen=True)
class SearchSource:
    name: str
    visible: VisibilityHook
    documents: Callable[[], Iterable[IndexedDocument]] | None = None
    # The keys of every document the source has now, read cheaply (no text): `search_status`
    # compares them with the index to tell whether a reindex is needed.
    keys: Callable[[], Iterable[str]] | None = None


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
