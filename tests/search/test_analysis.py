"""The analyzer: one function for documents and queries, Japanese and English."""

import pytest

from madoguchi.search import analysis
from madoguchi.search.analysis import analyze, detect_language


def test_japanese_is_segmented_into_normalised_words_without_particles() -> None:
    assert analyze("パスワードを忘れました") == ["パスワード", "忘れる"]


def test_a_two_kanji_word_is_one_token() -> None:
    assert "修理" in analyze("修理の申し込み")


def test_a_document_compound_is_also_indexed_by_its_parts_after_the_words() -> None:
    stop = analysis.PARTS_STOP
    assert analyze("領収書の再発行", compounds=True) == [
        "領収書",
        "再発行",
        stop,
        "領収",
        stop,
        "発行",
    ]
    assert analyze("領収書の再発行") == ["領収書", "再発行"]
    assert stop not in analyze(f"{stop} パスワード {stop}")  # no text gives the stop itself


def test_a_query_compound_also_reads_as_its_parts_in_a_row() -> None:
    assert analysis.analyze_query("再設定したい")[1] == {"再設定": ("再", "設定")}
    assert analysis.analyze_query("reset パスワード")[1] == {}


def test_half_width_katakana_meets_full_width() -> None:
    assert analyze("ｶﾀｶﾅのﾃｽﾄ") == analyze("カタカナのテスト")


def test_full_width_latin_meets_ascii() -> None:
    assert analyze("全角ＡＢＣで入力") == ["全角", "abc", "入力"]


@pytest.mark.parametrize(
    ("long", "short"), [("コンピューター", "コンピュータ"), ("プリンター", "プリンタ")]
)
def test_a_trailing_long_vowel_mark_does_not_matter(long: str, short: str) -> None:
    assert analyze(long) == analyze(short)


def test_english_is_lower_cased_and_stemmed_and_stop_words_dropped() -> None:
    assert analyze("Running the Configurations") == ["run", "configur"]
    assert analyze("configure") == analyze("configured") == analyze("CONFIGURES")


def test_english_words_inside_japanese_text_keep_their_english_form() -> None:
    assert analyze("Gmailでrunning") == ["gmail", "run"]


@pytest.mark.parametrize(
    "text", ['" AND OR NEAR( * -', "", "\x00\x01\x1f\x7f", "'; DROP TABLE x; --", "a" * 10_000]
)
def test_hostile_text_gives_plain_word_tokens(text: str) -> None:
    assert all(token.isalnum() for token in analyze(text))


def test_language_detection() -> None:
    assert detect_language("パスワード") == "ja"
    assert detect_language("password") == "en"


def test_marked_words_are_the_words_as_written_and_english_stems() -> None:
    assert analysis.marked_words("パスワードを忘れました") == ["パスワード", "忘れ"]
    assert analysis.marked_words("ｶﾀｶﾅ") == ["カタカナ"]
    assert analysis.marked_words("the configured printers") == [
        "configured",
        "printers",
        "configur",
        "printer",
    ]
