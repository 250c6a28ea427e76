"""The benchmark's article counts follow BENCHMARKS.md's scales; its searches are varied."""

import random

from madoguchi.kb.synthetic import (
    WORDS_EN,
    WORDS_JA,
    article_count,
    search_queries,
    typed_prefixes,
)


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311  (deterministic data, as the seed command makes it)


def test_article_counts_match_the_benchmark_scales() -> None:
    assert article_count(1) == 2_000
    assert article_count(10) == 100_000
    assert article_count(0.1) == 200
    assert article_count(0.0001) == 2  # one per knowledge base at least
    assert article_count(1) < article_count(2) < article_count(10)


def test_searches_are_distinct_and_made_of_the_articles_words() -> None:
    english = search_queries("en", 200, _rng(1))
    japanese = search_queries("ja", 200, _rng(1))

    assert len(set(english)) == len(english) == 200
    assert all(set(query.split()[:2]) <= set(WORDS_EN) for query in english)
    assert any(query.split()[-1].isdigit() for query in english)
    assert all(any(word in query for word in WORDS_JA) for query in japanese)
    assert search_queries("en", 50, _rng(1)) == english[:50]  # deterministic


def test_typed_prefixes_are_words_begun() -> None:
    typed = typed_prefixes(300, _rng(2))

    assert len(set(typed)) == 300
    begun = [text.split()[-1] for text in typed if text.isascii()]
    assert all(any(word.startswith(part) for word in WORDS_EN) for part in begun)
    assert any(text not in WORDS_EN and text.isascii() for text in typed)  # unfinished words
    assert any(not text.isascii() for text in typed)
