"""Both engines: Japanese and English matching, hostile queries, the index kept in step."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from madoguchi.search import engines, selectors
from madoguchi.search.selectors import search
from tests.search.conftest import index

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "   ",
    '" AND OR NEAR( * -',
    "NEAR(a b, 2) OR title:x*",
    "'; DROP TABLE search_searchdocument; --",
    "\x00\x01\x02\x1b[31m",
    "修理" * 5_000,
    "x" * 10_000,
    "a & b | !c <-> d:*",
    '"""',
    "(((",
]


def test_the_engine_follows_the_database() -> None:
    assert engines.get_engine().vendor == connection.vendor


def test_fts5_quoting_leaves_no_operator() -> None:
    assert engines.fts5_match([[("near",)], [("a", 'b"c')]]) == '("near") OR ("a b""c")'


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_nothing_never_an_error(query: str) -> None:
    index("1", "修理のご依頼", "故障した製品の修理を受け付けます")
    index("2", "Configure email", "AND OR NEAR title body")

    for mode in ("lexical", "hybrid"):
        results = search(query, viewer=None, mode=mode)
        assert isinstance(results.hits, list)


def test_a_two_kanji_word_is_found() -> None:
    index("repair", "修理のご依頼について", "製品が故障したときは修理をお申し込みください。")
    index("other", "請求書の発行", "請求書はマイページから発行できます。")

    hits = search("修理", viewer=None, mode="lexical").hits

    assert [hit.key for hit in hits] == ["repair"]


def test_part_of_a_compound_finds_the_compound_and_the_compound_its_parts() -> None:
    """Sudachi keeps 再設定 whole in one text and splits it in another."""
    index("whole", "再設定", "ログイン画面から行えます。")
    index("split", "パスワードの再設定方法", "マイページをご覧ください。")
    index("other", "請求書の発行", "請求書はマイページから発行できます。")

    assert {hit.key for hit in search("設定", viewer=None, mode="lexical").hits} == {
        "whole",
        "split",
    }
    assert {hit.key for hit in search("再設定", viewer=None, mode="lexical").hits} == {
        "whole",
        "split",
    }
    assert [hit.key for hit in search("請求", viewer=None, mode="lexical").hits] == ["other"]


def test_a_japanese_sentence_finds_the_article_by_its_words() -> None:
    index(
        "reset",
        "パスワード再設定",
        "ログイン画面の「パスワードをお忘れですか」から再設定できます。",
    )
    index("invoice", "請求書の発行", "請求書はマイページから発行できます。")

    hits = search("パスワードを忘れました", viewer=None, mode="lexical").hits

    assert hits[0].key == "reset"


def test_half_width_katakana_and_full_width_latin_queries_match() -> None:
    index("printer", "プリンターの設定", "ＡＢＣ社製プリンタの接続方法")
    index("other", "請求書の発行", "マイページから発行できます。")

    assert search("ﾌﾟﾘﾝﾀｰ", viewer=None, mode="lexical").hits[0].key == "printer"
    assert search("abc", viewer=None, mode="lexical").hits[0].key == "printer"
    assert search("全角ＡＢＣ", viewer=None, mode="lexical").hits[0].key == "printer"


def test_english_stemming_matches_other_forms() -> None:
    index("cfg", "Configuring notifications", "How to configure which emails you receive.")
    index("other", "Deleting an account", "Close your account for good.")

    results = search("configured notification", viewer=None, mode="lexical")

    assert [hit.key for hit in results.hits] == ["cfg"]
    assert results.notice == ""  # found by the engine, not by the fallback


def test_the_engine_answers_a_query_of_many_words_and_synonyms() -> None:
    index("1", "Printer setup", "Connect the printer.")

    groups = [[("printer",), ("scanner", "device")], [("setup",)], [("cabl",)]]
    engine = engines.get_engine()
    freqs = engine.doc_freqs({token for group in groups for phrase in group for token in phrase})
    ids = engine.candidates(groups, filters=engines.Filters(), limit=10, freqs=freqs)

    assert len(ids) == 1


def test_a_title_match_ranks_above_a_body_match() -> None:
    index("body", "Account settings", "You can change the invoice address here.")
    index("title", "Invoice address", "Change it from your account settings.")

    assert search("invoice", viewer=None, mode="lexical").hits[0].key == "title"


def test_when_it_may_pass_few_candidates_the_engine_passes_the_strongest_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "LEXICAL_CANDIDATES", 2)
    index("once", "Guide", "Switch the printer on.")
    index("title", "Printer setup", "Start here.")
    index("often", "Cables", "Plug the printer cable into the printer, then the printer powers up.")

    hits = search("printer", viewer=None, mode="lexical").hits

    assert {hit.key for hit in hits} == {"title", "often"}


def test_an_updated_document_is_found_by_its_new_words_only() -> None:
    index("1", "Old title about printers")
    index("1", "New title about scanners")

    assert [hit.key for hit in search("scanners", viewer=None, mode="lexical").hits] == ["1"]
    assert search("printers", viewer=None, mode="lexical").hits == []


def test_a_removed_document_is_not_found() -> None:
    from madoguchi.search.services import document_remove

    index("1", "Printers")
    document_remove(source="test.doc", key="1")

    assert search("printers", viewer=None, mode="lexical").hits == []


def _break_the_index() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE search_fts_vocab")
            cursor.execute("DROP TABLE search_fts")
        else:
            cursor.execute("DROP INDEX search_document_vector")
            cursor.execute("ALTER TABLE search_searchdocument DROP COLUMN search_vector")


def test_a_broken_index_falls_back_to_a_simple_match_with_a_notice() -> None:
    index("1", "修理のご依頼", "故障した製品 repair requests")
    _break_the_index()

    results = search("修理", viewer=None, mode="lexical")
    english = search("repair requests", viewer=None, mode="lexical")

    assert [hit.key for hit in results.hits] == ["1"]
    assert results.notice
    assert [hit.key for hit in english.hits] == ["1"]


def test_the_simple_fallback_keeps_to_the_scopes() -> None:
    index("1", "Printer setup", scopes=("brand:1",))
    index("2", "Printer cleaning", scopes=("brand:2",))
    index("3", "Printer paper")
    _break_the_index()

    results = search("printer", viewer=None, mode="lexical", scopes=[("brand:2",)])

    assert results.notice
    assert {hit.key for hit in results.hits} == {"2", "3"}


@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_transaction_opens_none() -> None:
    # On SQLite a transaction begins IMMEDIATE: every search would queue for the write lock.
    index("printer", "Printer setup", "Connect the printer to the network.")

    with CaptureQueriesContext(connection) as captured:
        hits = search("printer", viewer=None, mode="lexical").hits

    assert [hit.key for hit in hits] == ["printer"]
    assert not [q["sql"] for q in captured.captured_queries if "BEGIN" in q["sql"].upper()]


def test_a_plan_within_bounds_matches_every_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "RANKED_MATCHES", 100)
    groups = [[("printer",)], [("toner",)]]

    assert engines.plan(groups, {"printer": 60, "toner": 40}) == engines.Plan(groups)


def test_a_plan_leaves_the_commonest_groups_out_of_the_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "RANKED_MATCHES", 100)
    groups = [[("the",)], [("toner",)], [("printer",)]]

    chosen = engines.plan(groups, {"the": 90, "toner": 3, "printer": 50})

    assert chosen == engines.Plan([[("toner",)], [("printer",)]])


def test_a_group_counts_its_synonyms_and_a_phrase_its_rarest_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "RANKED_MATCHES", 100)
    synonyms = [("pw",), ("password",)]
    phrase = [("reset", "password")]
    freqs = {"pw": 30, "password": 60, "reset": 20}

    # 30 + 60 for the synonyms (over 80 once the phrase's 20 come first), 20 for the phrase.
    assert engines.plan([synonyms, phrase], freqs) == engines.Plan([phrase])


def test_a_plan_of_only_common_words_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "RANKED_MATCHES", 100)
    groups = [[("printer",)], [("network",)]]

    assert engines.plan(groups, {"printer": 500, "network": 101}) == engines.Plan(
        groups, capped=True
    )


def test_a_common_word_left_out_of_the_match_still_ranks_what_was_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "RANKED_MATCHES", 3)
    for number in range(5):
        index(f"printer-{number}", f"Printer guide {number}", "Keep the printer clean.")
    index("toner", "Buying toner", "Toner comes in packs of two.")
    index("both", "Toner", "Replace the toner of the printer.")

    hits = search("printer toner", viewer=None, mode="lexical").hits

    assert [hit.key for hit in hits] == ["both", "toner"]


def test_a_word_too_common_to_rank_in_full_ranks_title_matches_then_the_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "RANKED_MATCHES", 2)
    index("title", "Printer setup", "Start here.")
    for number in range(4):
        index(f"body-{number}", f"Guide {number}", "Switch the printer on.")

    hits = search("printer", viewer=None, mode="lexical").hits

    assert hits[0].key == "title"
    assert {hit.key for hit in hits[1:]} == {"body-3", "body-2"}


def test_no_phrase_runs_from_the_words_into_the_parts_or_across_compounds() -> None:
    index("1", "領収書の再発行", "")
    engine = engines.get_engine()

    def found(*phrase: str) -> list[int]:
        groups = [[phrase]]
        freqs = engine.doc_freqs(set(phrase))
        return engine.candidates(groups, filters=engines.Filters(), limit=10, freqs=freqs)

    assert found("領収書", "再発行")  # the words in a row
    assert not found("再発行", "領収")  # the last word, then the first part
    assert not found("領収", "発行")  # one compound's part, then the next one's
