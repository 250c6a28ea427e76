"""Text analysis: the one function that turns documents and queries into index tokens.

Both engines index pre-segmented text, so Japanese is split here (SudachiPy, normalised forms)
and English is lower-cased and stemmed here; the engines only split on spaces. Documents and
queries go through `analyze()`, so a query token always matches the document token it should.

Normalisation, in order: NFKC (full-width Latin → ASCII, half-width ｶﾀｶﾅ → カタカナ), lower case,
then per token: Sudachi's normalised form (附属 → 付属, 引越し → 引っ越し), hiragana folded to
katakana, and a trailing long-vowel mark dropped from long katakana words (コンピューター and
コンピュータ are one word). Particles, auxiliary verbs, symbols and English stop words carry no
meaning for retrieval and are dropped.
"""

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

import snowballstemmer
from sudachipy import Dictionary, SplitMode

# Runs of Latin letters and digits are English-like words; everything else goes to Sudachi.
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_WORD_CHARS = re.compile(r"\w+")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DROPPED_POS = frozenset(
    {"助詞", "助動詞", "補助記号", "記号", "空白", "代名詞", "感動詞", "接続詞", "副詞", "連体詞"}
)
# Light verbs and fillers (by Sudachi normalised form): する, いる, ある, なる, できる, いい,
# ください, いただく, こと, もの, ため. They carry no topic, as English stop words do not.
_JAPANESE_STOP_WORDS = frozenset(
    {"為る", "居る", "有る", "成る", "出来る", "良い", "下さる", "頂く", "事", "物", "為"}
)
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_LONG_VOWEL = "ー"
# A katakana word this long or longer loses a trailing ー (JIS Z 8301 style: コンピュータ).
_LONG_VOWEL_MIN_LENGTH = 4
# A compound is indexed with its parts when Sudachi's shortest split gives at least this many.
MIN_PARTS = 2
# Longest text analysed: a 10 kB query or a huge article must not stall a request.
MAX_ANALYZED_CHARS = 200_000

_STOP_WORDS_TEXT = """
    a an and are as at be but by can do does for from had has have how i if in into is it its
    me my no not of on or our so than that the their them then there these they this to was
    we were what when where which who why will with you your"""
ENGLISH_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_local = threading.local()


@cache
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer():
    """Return this thread's Sudachi tokenizer: one tokenizer is not safe to share across threads."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _dictionary().tokenizer(mode=SplitMode.B)
        _local.tokenizer = tokenizer
    return tokenizer


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer("english")  # PyStemmer (C) when installed
        _local.stemmer = stemmer
    return stemmer


def normalize(text: str, *, lower: bool = True) -> str:
    """Return `text` NFKC-normalised, lower-cased, with control characters turned into spaces."""
    text = unicodedata.normalize("NFKC", text[:MAX_ANALYZED_CHARS])
    return _CONTROL_CHARS.sub(" ", text.lower() if lower else text)


@lru_cache(maxsize=4096)
def _pos_dropped(pos_id: int) -> bool:
    """Tell whether a part of speech (by Sudachi's id: cheaper than its name tuple) is dropped."""
    return _dictionary().pos_of(pos_id)[0] in _DROPPED_POS


def _fold_japanese(token: str) -> str:
    # Only all-hiragana words are folded: 忘れる keeps its okurigana, ぱすわーど meets パスワード.
    if all("\u3041" <= char <= "\u309f" or char == _LONG_VOWEL for char in token):
        token = token.translate(_HIRAGANA_TO_KATAKANA)
    if len(token) >= _LONG_VOWEL_MIN_LENGTH and token.endswith(_LONG_VOWEL):
        token = token.rstrip(_LONG_VOWEL)
    return token


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str | None:
    """Return the stem of a lower-case English word, None for a stop word (cached: words repeat)."""
    if word in ENGLISH_STOP_WORDS:
        return None
    return _stemmer().stemWord(word)


def _english_tokens(text: str) -> list[str]:
    stems = (_stem(word) for word in _LATIN_WORD.findall(text))
    return [stem for stem in stems if stem]


def _content_morphemes(text: str) -> Iterator[Any]:
    """Yield Sudachi's morphemes of text that carry meaning (no particles, auxiliaries, symbols)."""
    for morpheme in _tokenizer().tokenize(text):
        if not _pos_dropped(morpheme.part_of_speech_id()):
            yield morpheme


def _japanese_words(morpheme: Any) -> list[str]:
    """Return the tokens of one morpheme: its normalised form, folded; none for a stop word."""
    normalized = morpheme.normalized_form()
    if normalized in _JAPANESE_STOP_WORDS:
        return []
    # Normalised forms may carry upper case (full-width Pw → PW) or symbols.
    tokens = []
    for piece in _WORD_CHARS.findall(normalized.lower()):
        tokens.extend(_english_tokens(piece) if piece.isascii() else [_fold_japanese(piece)])
    return tokens


def _part_words(morpheme: Any) -> list[str]:
    """Return the tokens of the words a compound is made of, as Sudachi's shortest split finds
    them (再設定 → 再, 設定; 請求書 → 請求, 書), particles left out; none for a simple word."""
    split = morpheme.split(SplitMode.A)
    if len(split) < MIN_PARTS:
        return []
    return [
        token
        for part in split
        if not _pos_dropped(part.part_of_speech_id())
        for token in _japanese_words(part)
    ]


def _japanese_morphemes(text: str) -> Iterator[tuple[Any, list[str]]]:
    """Yield each meaningful morpheme of `text` with its tokens; None for a Latin word, which
    keeps its English form (Sudachi would turn "running" into ランニング)."""
    for morpheme in _content_morphemes(text):
        surface = morpheme.surface()
        if surface.isascii():
            yield None, _english_tokens(surface)
        else:
            yield morpheme, _japanese_words(morpheme)


# A token no text or query gives (a rare letter, kept whole by FTS5 and PostgreSQL's parser):
# it stands between a document's words and the parts of its compounds, and is not counted in
# the document's length.
PARTS_STOP = "\ua66e"


def analyze(text: str, *, compounds: bool = False) -> list[str]:
    """Return the index tokens of `text`, in order, for a document field or a query alike.

    compounds=True (documents) adds the parts of Japanese compound words after the tokens, so
    a query for a part finds the whole (設定 finds 再設定); parts of one character (再, 書) are
    left out. Queries keep whole words (analyze_query): the query 再設定 asks for that word.
    """
    text = normalize(text)
    if text.isascii():
        return _english_tokens(text)
    # Sudachi sees the whole text: a particle is only recognised as one in its context.
    tokens, parts = [], []
    for morpheme, words in _japanese_morphemes(text):
        tokens.extend(words)
        if compounds and morpheme is not None and words:
            kept = [p for p in _part_words(morpheme) if len(p) >= 2 and p not in words]
            # Each compound's parts behind a stop, so that no phrase runs from the last word
            # into a part, or from one compound's parts into the next one's.
            parts += [PARTS_STOP, *kept] if kept else []
    # After the words, not among them: phrases (a synonym's words in a row) still match.
    return tokens + parts


def analyze_query(text: str) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """Return the tokens of a query (as analyze gives them) and each Japanese compound among
    them with its parts as a phrase (再設定 → 再 設定), in one pass. Sudachi keeps a word whole
    in one sentence and splits it in another (パスワードの再設定方法 gives 再, 設定), so a search
    for the whole also looks for its parts in a row."""
    text = normalize(text)
    if text.isascii():
        return _english_tokens(text), {}
    tokens, phrases = [], {}
    for morpheme, words in _japanese_morphemes(text):
        tokens.extend(words)
        if morpheme is not None and len(words) == 1:
            parts = _part_words(morpheme)
            if len(parts) >= MIN_PARTS:
                phrases[words[0]] = tuple(parts)
    return tokens, phrases


def marked_words(text: str) -> list[str]:
    """Return what of a query to mark in the text found: each Japanese word as written (no
    particles or auxiliaries: パスワードを忘れました marks パスワード and 忘れ), each English
    word and its stem (the stem marks the word's other forms)."""
    text = normalize(text)
    if text.isascii():
        return _english_marks(text)
    marks = []
    for morpheme in _content_morphemes(text):
        surface = morpheme.surface()
        if surface.isascii():
            marks.extend(_english_marks(surface))
        elif morpheme.normalized_form() not in _JAPANESE_STOP_WORDS:
            marks.append(surface)
    return marks


def _english_marks(text: str) -> list[str]:
    words = [word for word in _LATIN_WORD.findall(text) if _stem(word)]
    return [*words, *(_stem(word) or word for word in words)]


def surface_words(text: str) -> list[str]:
    """Return the lower-case English words of `text` before stemming (for "did you mean")."""
    return _LATIN_WORD.findall(normalize(text))


def english_stem(word: str) -> str:
    """Return the index token of one English word (stop words included)."""
    return _stemmer().stemWord(word.lower())


_JAPANESE_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def detect_language(text: str) -> str:
    """Return "ja" when `text` contains kana or kanji, else "en" (good enough to log and filter)."""
    return "ja" if _JAPANESE_CHARS.search(text) else "en"
