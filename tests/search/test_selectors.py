"""The search service: synonyms, permissions, modes, typo correction, fallback, cross-lingual."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import User
from madoguchi.search import embeddings, selectors, services, sources
from madoguchi.search.selectors import index_status, search, title_prefix_search
from madoguchi.search.sources import IndexedDocument
from tests.search.conftest import SOURCE, index

pytestmark = pytest.mark.django_db


def _keys(query: str, viewer: object = None, mode: str = "lexical") -> list[str]:
    return [hit.key for hit in search(query, viewer=viewer, mode=mode).hits]


def test_a_synonym_group_works_both_ways_and_across_languages() -> None:
    index("pw", "パスワード再設定", "ログイン画面から再設定できます。")
    index("receipt", "Getting a receipt", "Download the receipt of any payment.")
    index("other", "Opening hours", "We answer on weekdays.")
    assert _keys("PWを忘れた") == []

    services.synonym_create(terms="PW, パスワード")
    services.synonym_create(terms="領収書、receipt")

    assert _keys("PWを忘れた") == ["pw"]
    assert _keys("領収書") == ["receipt"]


def test_a_multi_word_synonym_is_matched_as_a_phrase() -> None:
    index("reset", "Password reset", "Choose a new password.")
    index("other", "Reset the router", "Unplug it; the password stays.")
    services.synonym_create(terms="PW, password reset")

    assert _keys("pw") == ["reset"]


def test_results_pass_through_the_sources_visibility_hook(
    alice: User, carol: User, dave: User
) -> None:
    index("public-1", "Printer setup", "Public guide for printers.")
    index("internal-1", "Printer setup for agents", "Internal notes about printers.")
    index("org-acme-1", "Printer contract of Acme", "Acme's printers.")
    index("org-globex-1", "Printer contract of Globex", "CANARY printers.")

    for mode in ("lexical", "hybrid"):
        assert set(_keys("printer", AnonymousUser(), mode)) == {"public-1"}
        assert set(_keys("printer", alice, mode)) == {"public-1", "org-acme-1"}
        assert set(_keys("printer", carol, mode)) == {"public-1", "org-globex-1"}
        assert "internal-1" in _keys("printer", dave, mode)
        assert "org-globex-1" not in _keys("canary", alice, mode)


def test_filters_by_language() -> None:
    index("en", "Printer setup", "printers", lang="en")
    index("ja", "プリンター printer の設定", "プリンター", lang="ja")

    assert [hit.key for hit in search("printer", viewer=None, langs=["ja"]).hits] == ["ja"]


def test_did_you_mean_corrects_an_english_typo_and_finds_the_word() -> None:
    index("pw", "Changing your password", "Pick a strong one.")

    results = search("pasword change", viewer=None, mode="lexical")

    assert results.suggestion == "password change"
    assert [hit.key for hit in results.hits] == ["pw"]


def test_did_you_mean_never_offers_a_word_only_a_hidden_title_holds(alice: User) -> None:
    index("internal-1", "Acquisition plans", "Staff only.")
    index("org-globex-1", "Merger timetable", "Globex only.")

    assert search("acquisiton", viewer=None, mode="lexical").suggestion == ""
    assert search("mergr timetable", viewer=alice, mode="lexical").suggestion == ""
    assert search("acquisiton", viewer=alice, mode="lexical").hits == []


def test_no_suggestion_when_every_word_is_known() -> None:
    index("pw", "Changing your password")

    assert search("password", viewer=None, mode="lexical").suggestion == ""


def test_pagination_with_offset() -> None:
    for number in range(5):
        index(f"d{number}", f"Printer guide {number}", "printer " * (number + 1))

    first = [hit.key for hit in search("printer", viewer=None, mode="lexical", limit=2).hits]
    second = [
        hit.key for hit in search("printer", viewer=None, mode="lexical", limit=2, offset=2).hits
    ]

    assert len(first) == len(second) == 2
    assert not set(first) & set(second)


def test_a_visible_document_below_many_hidden_ones_is_still_found(alice: User) -> None:
    """Documents are checked in batches down the ranking; hidden ones must not end the walk."""
    for number in range(70):
        index(f"internal-{number}", f"Printer printer printer {number}", "printer printer")
    index("org-acme-far", "Guide", "A printer among many other words " + "text " * 200)

    keys = _keys("printer", alice)

    assert keys == ["org-acme-far"]


def test_scopes_narrow_inside_the_engine_before_the_cut() -> None:
    """A narrow search must not be left with what survives of everyone's best hundred."""
    for number in range(120):
        index(f"b1-{number}", f"Printer printer {number}", "printer printer", scopes=("brand:1",))
    index("b2", "Guide", "A printer among other words " + "text " * 100, scopes=("brand:2",))
    index("b3", "Printer printer printer", "printer", scopes=("brand:3",))

    def found(*scopes: tuple[str, ...], limit: int = 10) -> list[str]:
        hits = search("printer", viewer=None, mode="lexical", limit=limit, scopes=scopes).hits
        return [hit.key for hit in hits]

    assert "b2" not in found(limit=200)
    assert found(("brand:2",)) == ["b2"]
    assert set(found(("brand:2", "brand:3"))) == {"b2", "b3"}
    assert found(("brand:2",), ("kb:9",)) == []
    assert found(()) == []


def test_a_document_without_labels_passes_every_scope() -> None:
    """Indexed before its source gave labels: left to the source's own checks."""
    index("old", "Printer")
    index("other", "Printer", scopes=("brand:2",))

    hits = search("printer", viewer=None, mode="lexical", scopes=[("brand:1",)]).hits

    assert [hit.key for hit in hits] == ["old"]


def test_title_suggestions_keep_to_the_scopes() -> None:
    index("1", "Printer setup", scopes=("brand:1",))
    index("2", "Printer cleaning", scopes=("brand:2",))

    hits = title_prefix_search("print", viewer=None, limit=5, scopes=[("brand:2",)])

    assert [hit.key for hit in hits] == ["2"]


def test_an_unknown_mode_is_hybrid_and_an_empty_query_finds_nothing() -> None:
    index("1", "Printer")

    assert search("", viewer=None).hits == []
    assert search("printer", viewer=None, mode="nonsense").mode in {"hybrid", "lexical"}


def test_without_the_model_hybrid_falls_back_to_lexical_with_a_notice(
    settings: Settings,
) -> None:
    settings.SEARCH_SEMANTIC = False
    index("1", "修理のご依頼", "故障した製品の修理")

    results = search("修理", viewer=None, mode="hybrid")

    assert results.mode == "lexical"
    assert results.notice
    assert [hit.key for hit in results.hits] == ["1"]
    assert index_status().model_available is False


@pytest.mark.usefixtures("model")
def test_with_nothing_embedded_yet_the_query_is_not_embedded_and_search_says_lexical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new site, or a backlog not started: no query vector (7-13 ms) that could find nothing."""
    index("1", "修理のご依頼", "故障した製品の修理")

    def refuse(_text: str) -> None:
        raise AssertionError("the query was embedded")

    monkeypatch.setattr(embeddings, "embed_query", refuse)

    hybrid = search("修理", viewer=None, mode="hybrid")
    semantic = search("修理", viewer=None, mode="semantic")

    for results in (hybrid, semantic):
        assert (results.mode, results.notice) == ("lexical", "")
        assert [hit.key for hit in results.hits] == ["1"]


@pytest.mark.usefixtures("model")
def test_cross_lingual_an_english_question_finds_the_japanese_article() -> None:
    index(
        "reset",
        "パスワード再設定",
        "パスワードを忘れた場合は、ログイン画面の「パスワードをお忘れですか」から再設定できます。",
        lang="ja",
    )
    index("invoice", "請求書の発行", "請求書はマイページからダウンロードできます。", lang="ja")
    index("hours", "営業時間", "平日の9時から18時まで受け付けています。", lang="ja")
    services.embeddings_compute()

    assert _keys("I forgot my password", mode="semantic")[0] == "reset"
    assert _keys("I forgot my password", mode="hybrid")[0] == "reset"
    assert _keys("How do I get an invoice?", mode="hybrid")[0] == "invoice"


@pytest.mark.usefixtures("model")
def test_a_question_with_no_answer_finds_nothing_rather_than_the_nearest_article() -> None:
    index("reset", "Reset your password", "Open the sign-in page and choose Forgot password.")
    index("invoice", "Download an invoice", "Invoices are under Billing in your account.")
    services.embeddings_compute()

    assert _keys("weather in Osaka tomorrow", mode="hybrid") == []
    assert _keys("weather in Osaka tomorrow", mode="semantic") == []
    assert _keys("I can't remember my password", mode="hybrid")[0] == "reset"


@pytest.mark.usefixtures("model")
def test_semantic_results_respect_visibility(alice: User) -> None:
    index("org-globex-1", "Printer contract", "CANARY printers of Globex")
    index("public-1", "Printer maintenance", "How to clean and service your printer.")
    services.embeddings_compute()

    assert _keys("printer contract", alice, "semantic") == ["public-1"]


@pytest.fixture
def other_source() -> Iterator[str]:
    sources.register(sources.SearchSource(name="other.doc", visible=lambda _viewer, keys: keys))
    yield "other.doc"
    sources.unregister("other.doc")


@pytest.mark.usefixtures("model")
def test_semantic_results_keep_to_the_languages_and_sources_asked(other_source: str) -> None:
    index("ja-reset", "パスワード再設定", "ログイン画面から再設定できます。", lang="ja")
    index("en-reset", "Reset your password", "Open the sign-in page.", lang="en")
    services.document_index(
        IndexedDocument(
            source=other_source, key="post", title="Password reset thread", body="", lang="en",
            url="/forum/post",
        )
    )  # fmt: skip
    services.embeddings_compute()

    english = search("forgot my password", viewer=None, mode="semantic", langs=["en"])
    japanese = search("forgot my password", viewer=None, mode="semantic", langs=["ja"])
    ours = search("forgot my password", viewer=None, mode="semantic", source_names=[SOURCE])

    assert {hit.key for hit in english.hits} == {"en-reset", "post"}
    assert [hit.key for hit in japanese.hits] == ["ja-reset"]
    assert {hit.key for hit in ours.hits} == {"en-reset", "ja-reset"}


@pytest.mark.usefixtures("model")
def test_semantic_results_keep_to_the_scopes_beyond_the_dense_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index("best", "Forgot your password?", "Reset it from the sign-in page.", scopes=("brand:1",))
    index("ours", "パスワード再設定", "ログイン画面から再設定できます。", scopes=("brand:2",))
    services.embeddings_compute()
    monkeypatch.setattr(selectors, "DENSE_CANDIDATES", 1)

    everyone = search("I forgot my password", viewer=None, mode="semantic")
    scoped = search("I forgot my password", viewer=None, mode="semantic", scopes=[("brand:2",)])

    assert [hit.key for hit in everyone.hits] == ["best"]
    assert [hit.key for hit in scoped.hits] == ["ours"]
