"""Every environment variable the settings read is documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_READ = re.compile(r'env_(?:str|bool|int|list|secret)\(\s*"([A-Z_]+)"')


def _variables_read() -> set[str]:
    return set(_READ.findall((ROOT / "madoguchi" / "settings.py").read_text(encoding="utf-8")))


def test_settings_read_the_variables_we_expect() -> None:
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SITE_URL",
    } <= _variables_read()


def test_every_variable_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", example, flags=re.MULTILINE))

    assert _variables_read() - listed == set()


def test_every_variable_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert {name for name in _variables_read() if f"`{name}`" not in readme} == set()
