"""Text an admin writes in each portal language: one column per language, shown in the viewer's.

A model keeps `name_en` and `name_ja` side by side; `in_language(obj, "name")` picks the viewer's
language and falls back to another that has text, so a type written only in Japanese still shows.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import get_language


def active_language() -> str:
    """Return the viewer's portal language as a bare code ("ja", not "ja-jp")."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def language_codes() -> list[str]:
    """Return the portal's languages, the active one first."""
    active = active_language()
    others = [code for code, _name in settings.LANGUAGES if code != active]
    return [active, *others]


def in_language(obj: Any, field: str) -> str:
    """Return `obj.<field>_<code>` for the viewer's language, else the first one with text."""
    for code in language_codes():
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""
