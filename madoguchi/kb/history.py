"""The difference between two versions of an article, line by line and word by word.

Japanese has no spaces between words, so a changed line is compared in tokens: runs of Latin
letters and digits stay whole words, every other character (kana, kanji, punctuation) is a token
of its own. The result is plain data; the template escapes it and marks changes with <del> and
<ins>, which screen readers announce.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class Piece:
    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    """One line of the comparison: kept, removed, added, or changed (old and new pieces)."""

    kind: str
    old: list[Piece]
    new: list[Piece]


def tokens(line: str) -> list[str]:
    return _TOKEN.findall(line)


def diff(old: str, new: str) -> list[Row]:
    """Compare two texts: equal lines as they are, changed lines with the changed words marked."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [
                Row("equal", [Piece(line, False)], [Piece(line, False)])
                for line in old_lines[i1:i2]
            ]
            continue
        removed, added = old_lines[i1:i2], new_lines[j1:j2]
        # Lines replaced one for one are compared word by word; the rest are whole lines.
        for before, after in zip(removed, added, strict=False):
            rows.append(_changed_line(before, after))
        rows += [Row("removed", [Piece(line, True)], []) for line in removed[len(added) :]]
        rows += [Row("added", [], [Piece(line, True)]) for line in added[len(removed) :]]
    return rows


def _changed_line(before: str, after: str) -> Row:
    old_tokens, new_tokens = tokens(before), tokens(after)
    old: list[Piece] = []
    new: list[Piece] = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old.append(Piece("".join(old_tokens[i1:i2]), op != "equal"))
        if j2 > j1:
            new.append(Piece("".join(new_tokens[j1:j2]), op != "equal"))
    return Row("changed", old, new)
