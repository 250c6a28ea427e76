"""Query understanding: analysed words, admin synonyms, and typo correction for English words."""

import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Max

from madoguchi.search import sources
from madoguchi.search.analysis import (
    analyze,
    analyze_query,
    english_stem,
    normalize,
    surface_words,
)
from madoguchi.search.engines import Engine, EngineUnavailableError, Phrase
from madoguchi.search.models import SearchDocument, Synonym

MAX_QUERY_CHARS = 500
MAX_QUERY_GROUPS = 32
SYNONYMS_CACHE_KEY = "search:synonyms"
SYNONYMS_CACHE_SECONDS = 300
# A correction must be this similar to the typed word (difflib ratio).
CORRECTION_MIN_RATIO = 0.8
_MIN_CORRECTABLE_LENGTH = 4


@dataclass
class ParsedQuery:
    text: str  # what the user typed, cut to MAX_QUERY_CHARS
    normalized: str  # NFKC, lower case, single spaces: what the search log groups by
    semantic_text: str  # NFKC, single spaces, case kept (the embedding model is cased)
    groups: list[list[Phrase]] = field(default_factory=list)
    suggestion: str = ""  # "did you mean" text, when a typed English word was corrected

    @property
    def tokens(self) -> set[str]:
        return {token for group in self.groups for phrase in group for token in phrase}


def synonym_map() -> dict[Phrase, set[Phrase]]:
    cached = cache.get(SYNONYMS_CACHE_KEY)
    if cached is not None:
        return cached
    mapping: dict[Phrase, set[Phrase]] = defaultdict(set)
    for synonym in Synonym.objects.all():
        phrases = {tuple(analyze(term)) for term in synonym.term_list} - {()}
        for phrase in phrases:
            mapping[phrase] |= phrases
    mapping = dict(mapping)
    cache.set(SYNONYMS_CACHE_KEY, mapping, SYNONYMS_CACHE_SECONDS)
    return mapping


def forget_synonyms() -> None:
    cache.delete(SYNONYMS_CACHE_KEY)


def _groups(
    tokens: list[str],
    synonyms: dict[Phrase, set[Phrase]],
    compounds: dict[str, Phrase] | None = None,
) -> list[list[Phrase]]:
    """Return one group per query word; a word or phrase with synonyms gets them as alternatives,
    a compound word its parts in a row (analysis.analyze_query)."""
    compounds = compounds or {}
    longest = max((len(phrase) for phrase in synonyms), default=1)
    groups: list[list[Phrase]] = []
    seen: set[Phrase] = set()
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            phrase = tuple(tokens[position : position + size])
            if size == 1 or phrase in synonyms:
                break
        position += len(phrase)
        if phrase in seen:
            continue
        seen.add(phrase)
        alternatives = [phrase, *sorted(synonyms.get(phrase, set()) - {phrase})]
        if size == 1 and phrase[0] in compounds:
            alternatives.append(compounds[phrase[0]])
        groups.append(alternatives)
    return groups[:MAX_QUERY_GROUPS]


def word_groups(text: str, synonyms: dict[Phrase, set[Phrase]] | None = None) -> list[list[Phrase]]:
    """Return the analysed words of `text`, each with its synonyms (for grouping searches);
    pass synonym_map() when grouping many texts."""
    return _groups(analyze(text), synonym_map() if synonyms is None else synonyms)


def _public_titles() -> Iterator[str]:
    """Yield the titles any visitor may read: "did you mean" must not reveal hidden words."""
    titles: dict[str, dict[str, str]] = defaultdict(dict)
    rows = SearchDocument.objects.values_list("source", "key", "title").iterator()
    for source_name, key, title in rows:
        titles[source_name][key] = title
    for source_name, by_key in titles.items():
        try:
            source = sources.get(source_name)
        except sources.UnknownSourceError:
            continue
        yield from (by_key[key] for key in source.visible(AnonymousUser(), list(by_key)))


class _Vocabulary:
    """English words of public document titles, by first letter, for typo correction."""

    def __init__(self) -> None:
        self.generation: tuple | None = None
        self.words: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def get(self) -> dict[str, list[str]]:
        # Two queries: the count from the smallest index, the newest from the updated_at index
        # (together they would read every row of a table of long texts).
        documents = SearchDocument.objects
        generation = (documents.count(), documents.aggregate(t=Max("updated_at"))["t"])
        if generation != self.generation:
            with self.lock:
                words: dict[str, set[str]] = defaultdict(set)
                for title in _public_titles():
                    for word in surface_words(title):
                        if len(word) >= _MIN_CORRECTABLE_LENGTH and word.isalpha():
                            words[word[0]].add(word)
                self.words = {letter: sorted(found) for letter, found in words.items()}
                self.generation = generation
        return self.words


_vocabulary = _Vocabulary()


def _correction(word: str, vocabulary: dict[str, list[str]]) -> str:
    best, best_ratio = "", CORRECTION_MIN_RATIO
    for candidate in vocabulary.get(word[0], []):
        if abs(len(candidate) - len(word)) > 2:
            continue
        ratio = SequenceMatcher(None, word, candidate).ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def _correct_english(parsed: ParsedQuery, engine: Engine) -> None:
    """Add corrections of unknown English words as alternatives, and a "did you mean" text."""
    words = [w for w in surface_words(parsed.text) if len(w) >= _MIN_CORRECTABLE_LENGTH]
    stems = {word: english_stem(word) for word in words if word.isalpha()}
    if not stems:
        return
    try:
        freqs = engine.doc_freqs(set(stems.values()))
    except EngineUnavailableError:
        return  # no index, no corrections: the search itself falls back

    unknown = [word for word, stem in stems.items() if freqs.get(stem, 0) == 0]
    if not unknown:
        return
    vocabulary = _vocabulary.get()
    suggestion = parsed.normalized
    for word in unknown:
        corrected = _correction(word, vocabulary)
        if not corrected:
            continue
        suggestion = re.sub(rf"\b{re.escape(word)}\b", corrected, suggestion)
        for group in parsed.groups:
            if group[0] == (stems[word],):
                group.append((english_stem(corrected),))
    if suggestion != parsed.normalized:
        parsed.suggestion = suggestion


def parse_query(text: str, *, engine: Engine) -> ParsedQuery:
    """Return the analysed query: groups of alternatives ready for any engine."""
    text = text[:MAX_QUERY_CHARS]
    normalized = " ".join(normalize(text).split())
    semantic_text = " ".join(normalize(text, lower=False).split())
    parsed = ParsedQuery(text=text, normalized=normalized, semantic_text=semantic_text)
    tokens, compounds = analyze_query(text)
    parsed.groups = _groups(tokens, synonym_map(), compounds)
    _correct_english(parsed, engine)
    return parsed
