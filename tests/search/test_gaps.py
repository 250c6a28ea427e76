"""The knowledge-gap report's reads: near-duplicates together, three orderings."""

import pytest

from madoguchi.search import gaps, services
from madoguchi.search.models import SearchLog

pytestmark = pytest.mark.django_db


def _log(query: str, results: int = 0, **after: object) -> SearchLog:
    entry = services.search_log_record(
        query=query, normalized_query="", mode="lexical", result_count=results
    )
    SearchLog.objects.filter(pk=entry.pk).update(**after)
    return entry


def test_group_key_joins_wordings_of_one_need() -> None:
    assert gaps.group_key("reset password") == gaps.group_key("passwords resetting")
    # "password" in full-width letters
    full_width = "\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44 reset"
    assert gaps.group_key(full_width) == gaps.group_key("reset password")
    assert gaps.group_key("reset password") != gaps.group_key("reset router")


def test_synonyms_fall_into_one_group() -> None:
    assert gaps.group_key("PWリセット") != gaps.group_key("パスワード リセット")

    services.synonym_create(terms="PW, パスワード, password")

    assert gaps.group_key("PWリセット") == gaps.group_key("パスワード リセット")
    assert gaps.group_key("PWリセット") == gaps.group_key("password リセット")
    assert gaps.group_key("PWリセット") != gaps.group_key("PW 変更")


def test_a_scoped_report_shows_its_own_searches_and_those_from_before_scopes() -> None:
    _log("refund", scope="brand:1")
    _log("refund", scope="brand:2")
    _log("warranty", scope="brand:2")
    _log("opening hours")

    mine = gaps.knowledge_gaps(scope="brand:1").top
    everyone = gaps.knowledge_gaps().top

    assert {(g.label, g.searches) for g in mine} == {("refund", 1), ("opening hours", 1)}
    assert {(g.label, g.searches) for g in everyone} == {
        ("refund", 2),
        ("warranty", 1),
        ("opening hours", 1),
    }


def test_report_groups_near_duplicates_and_counts_outcomes() -> None:
    _log("Reset password")
    _log("reset password")
    _log("passwords resetting", followed_by_request=True)
    _log("router lights", results=3, clicked_key="1.en")
    report = gaps.knowledge_gaps()
    (zero,) = report.zero_results
    assert (zero.label, zero.searches, zero.zero_results) == ("reset password", 3, 3)
    assert zero.other_wordings == ["passwords resetting"]
    assert [g.label for g in report.followed_by_request] == ["reset password"]
    assert [g.label for g in report.top] == ["reset password", "router lights"]
    assert report.top[1].clicked == 1


def test_deflection_is_an_opened_suggestion_without_a_request() -> None:
    _log("refund", results=2, surface="request_form", clicked_key="3.en")
    _log("refund", results=2, surface="request_form", clicked_key="3.en", followed_by_request=True)
    _log("refund", results=2, surface="page", clicked_key="3.en")
    (group,) = gaps.knowledge_gaps().top
    assert (group.searches, group.clicked, group.deflected) == (3, 3, 1)


def test_old_searches_fall_out_of_the_period() -> None:
    entry = _log("ancient question")
    SearchLog.objects.filter(pk=entry.pk).update(created_at="2020-01-01T00:00:00Z")
    assert gaps.knowledge_gaps(days=7).top == []


def test_a_typed_letter_too_many_or_too_few_is_the_same_need() -> None:
    for query in ["password reset", "password reset", "pasword reset", "passwrod reset"]:
        _log(query)
    _log("reset passwordd")

    (group,) = gaps.knowledge_gaps().top

    assert (group.label, group.searches) == ("password reset", 5)
    assert sorted(group.other_wordings) == ["passwrod reset", "pasword reset", "reset passwordd"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("print", "paint"),
        ("order 1234", "order 1235"),
        ("設定方法", "設置方法"),
        ("printer", "painter"),
    ],
)
def test_short_words_numbers_and_japanese_are_not_taken_for_typos(first: str, second: str) -> None:
    _log(first)
    _log(second)

    assert len(gaps.knowledge_gaps().top) == 2
