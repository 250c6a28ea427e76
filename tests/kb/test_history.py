"""The comparison of two versions: lines, words, and Japanese without spaces."""

from madoguchi.kb import history


def _marked(pieces: list[history.Piece]) -> list[str]:
    return [piece.text for piece in pieces if piece.changed]


def test_equal_texts_have_no_change() -> None:
    rows = history.diff("one\ntwo", "one\ntwo")

    assert [row.kind for row in rows] == ["equal", "equal"]


def test_a_changed_word_is_marked_alone() -> None:
    [row] = history.diff("Open the settings page", "Open the account page")

    assert row.kind == "changed"
    assert _marked(row.old) == ["settings"]
    assert _marked(row.new) == ["account"]


def test_japanese_changes_are_marked_by_character_not_whole_line() -> None:
    [row] = history.diff("設定画面を開きます。", "管理画面を開きます。")

    assert _marked(row.old) == ["設定"]
    assert _marked(row.new) == ["管理"]
    assert "".join(piece.text for piece in row.new) == "管理画面を開きます。"


def test_added_and_removed_lines() -> None:
    rows = history.diff("a\nb\nc", "a\nc\nd")

    assert [(row.kind, [p.text for p in row.old + row.new]) for row in rows] == [
        ("equal", ["a", "a"]),
        ("removed", ["b"]),
        ("equal", ["c", "c"]),
        ("added", ["d"]),
    ]


def test_markup_is_plain_data_for_the_template_to_escape() -> None:
    [row] = history.diff("x", "<script>alert(1)</script>")

    assert "".join(piece.text for piece in row.new) == "<script>alert(1)</script>"
