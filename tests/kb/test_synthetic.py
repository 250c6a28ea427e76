"""The benchmark's article counts follow BENCHMARKS.md's scales."""

from madoguchi.kb.synthetic import article_count


def test_article_counts_match_the_benchmark_scales() -> None:
    assert article_count(1) == 2_000
    assert article_count(10) == 100_000
    assert article_count(0.1) == 200
    assert article_count(0.0001) == 2  # one per knowledge base at least
    assert article_count(1) < article_count(2) < article_count(10)
