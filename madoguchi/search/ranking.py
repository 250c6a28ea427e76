"""Scoring shared by both engines: BM25F over candidates, rank fusion and the hybrid re-rank.

The engines only propose candidates; the lexical score is computed here from document
frequencies and field lengths, so SQLite and PostgreSQL order results the same way.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from madoguchi.search.engines import Phrase


class DenseScores(Protocol):
    score: float
    title_score: float


K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.0
RRF_K = 60


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    avg_title_length: float
    avg_body_length: float


@dataclass(frozen=True)
class Candidate:
    id: int
    title_tokens: Sequence[str]
    body_tokens: Sequence[str]


def _idf(df: int, documents: int) -> float:
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def _contains(tokens: Sequence[str], counts: Counter, phrase: Phrase) -> bool:
    if len(phrase) == 1:
        return phrase[0] in counts
    size = len(phrase)
    return any(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1))


def _phrase_score(
    candidate: Candidate, fields: tuple[Counter, Counter], phrase: Phrase, weights: Mapping
) -> float:
    title, body = fields
    if len(phrase) > 1 and not (
        _contains(candidate.title_tokens, title, phrase)
        or _contains(candidate.body_tokens, body, phrase)
    ):
        return 0.0
    return sum(_token_score(weights.get(token), title, body, token) for token in phrase) / len(
        phrase
    )


@dataclass(frozen=True)
class _TokenWeight:
    """idf of one token and the field length normalisers of one candidate (BM25F)."""

    idf: float
    title_norm: float
    body_norm: float


def _token_score(weight: _TokenWeight | None, title: Counter, body: Counter, token: str) -> float:
    if weight is None:
        return 0.0
    tf = TITLE_WEIGHT * title[token] / weight.title_norm + body[token] / weight.body_norm
    return weight.idf * tf * (K1 + 1) / (tf + K1) if tf else 0.0


def bm25_scores(
    candidates: Sequence[Candidate],
    groups: Sequence[Sequence[Phrase]],
    doc_freqs: Mapping[str, int],
    stats: CorpusStats,
) -> dict[int, float]:
    """Return the BM25F score of each candidate: per query group, its best alternative."""
    scores = {}
    for candidate in candidates:
        title_norm = 1 - B + B * len(candidate.title_tokens) / max(stats.avg_title_length, 1.0)
        body_norm = 1 - B + B * len(candidate.body_tokens) / max(stats.avg_body_length, 1.0)
        weights = {
            token: _TokenWeight(_idf(df, stats.documents), title_norm, body_norm)
            for token, df in doc_freqs.items()
        }
        fields = (Counter(candidate.title_tokens), Counter(candidate.body_tokens))
        scores[candidate.id] = sum(
            max(_phrase_score(candidate, fields, phrase, weights) for phrase in group)
            for group in groups
        )
    return scores


def title_coverage(candidate: Candidate, groups: Sequence[Sequence[Phrase]]) -> float:
    """Return the share of query groups found in the title (a question phrased like the title)."""
    if not groups:
        return 0.0
    title = Counter(candidate.title_tokens)
    found = sum(
        any(_contains(candidate.title_tokens, title, phrase) for phrase in group)
        for group in groups
    )
    return found / len(groups)


def ranks(scores: Mapping[int, float]) -> dict[int, int]:
    """Return each id's rank (from 1) by descending score."""
    ordered = sorted(scores, key=lambda key: scores[key], reverse=True)
    return {key: rank for rank, key in enumerate(ordered, start=1)}


def rrf(*rankings: Mapping[int, int], weights: Sequence[float] | None = None) -> dict[int, float]:
    """Reciprocal rank fusion: sum of weight / (60 + rank) over the rankings that hold each id."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for key, rank in ranking.items():
            fused[key] = fused.get(key, 0.0) + weight / (RRF_K + rank)
    return fused


# Re-rank weights. Cosines of e5 crowd into a narrow band (about 0.75-0.90), so a cosine is
# taken as its distance below the best candidate's, divided by COSINE_SCALE; the BM25F score as a
# share of the best one. Chosen on two development sets (English StackFAQ, Japanese support
# FAQ) together, from a coarse grid, preferring the setting that is good on both.
BLEND_LEXICAL = 0.5
BLEND_PASSAGE = 1.0
BLEND_TITLE = 0.0
BLEND_TITLE_COVERAGE = 0.0
COSINE_SCALE = 0.05
# A candidate without a vector (not embedded yet) counts as this far below the best.
MISSING_COSINE_GAP = 0.2


def blend(
    documents: Sequence[int],
    *,
    lexical: Mapping[int, float],
    dense: Mapping[int, DenseScores],
    title_coverage: Mapping[int, float],
) -> dict[int, float]:
    """Return a score per document from its BM25F share, cosines and title coverage."""
    best_lexical = max((lexical.get(doc, 0.0) for doc in documents), default=0.0) or 1.0
    present = [dense[doc] for doc in documents if doc in dense]
    best_passage = max((hit.score for hit in present), default=0.0)
    best_title = max((hit.title_score for hit in present), default=0.0)
    scores = {}
    for doc in documents:
        hit = dense.get(doc)
        passage = hit.score if hit else best_passage - MISSING_COSINE_GAP
        title = hit.title_score if hit else best_title - MISSING_COSINE_GAP
        scores[doc] = (
            BLEND_LEXICAL * lexical.get(doc, 0.0) / best_lexical
            + BLEND_PASSAGE * (passage - best_passage) / COSINE_SCALE
            + BLEND_TITLE * (title - best_title) / COSINE_SCALE
            + BLEND_TITLE_COVERAGE * title_coverage.get(doc, 0.0)
        )
    return scores
