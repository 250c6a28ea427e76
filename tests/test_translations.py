"""The Japanese catalogue is complete and current with the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("madoguchi/locale/ja/LC_MESSAGES/django.po")
_MSGID = re.compile(r'^msgid "(.*)"$|^"(.*)"$')


def _msgids(po: Path) -> set[str]:
    """Return the msgids of a catalogue (multi-line ids joined), without the header."""
    ids, current, in_id = set(), [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            in_id, current = True, [line[7:-1]]
        elif in_id and line.startswith('"'):
            current.append(line[1:-1])
        else:
            if in_id and "".join(current):
                ids.add("".join(current))
            in_id = False
    return ids


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(ROOT / CATALOGUE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_catalogue_is_current_with_the_code(tmp_path: Path) -> None:
    """Fails when a string was added or changed without `make messages`."""
    shutil.copytree(
        ROOT / "madoguchi",
        tmp_path / "madoguchi",
        ignore=shutil.ignore_patterns("*.mo", "__pycache__"),
    )
    env = {**os.environ, "DEBUG": "1", "MADOGUCHI_DATA_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-obsolete", "-v", "0",
         "--settings", "madoguchi.settings", "--ignore", "var"],
        cwd=tmp_path, env=env, check=True, timeout=120,
    )  # fmt: skip

    assert _msgids(tmp_path / CATALOGUE) == _msgids(ROOT / CATALOGUE)
