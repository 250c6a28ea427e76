import re

import pytest
from django.template import Context, Template
from django.test import Client, override_settings
from django.utils import translation

LAYOUT = Template(
    "{% load i18n shared_fragments %}"
    "{% shared_fragment brand %}{{ brand }}/{% translate 'Language' %}/{{ count }}"
    "{% endshared_fragment %}|{{ count }}"
)


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __str__(self) -> str:
        self.calls += 1
        return str(self.calls)


def render(brand: str, counter: Counter) -> str:
    return LAYOUT.render(Context({"brand": brand, "count": counter}))


def test_a_fragment_is_rendered_once_per_key_and_the_rest_each_time():
    counter = Counter()
    with translation.override("en"):
        first = render("Acme", counter)
        second = render("Acme", counter)

    assert first == "Acme/Language/1|2"
    assert second == "Acme/Language/1|3"


def test_each_value_named_in_the_tag_has_its_own_copy():
    counter = Counter()
    with translation.override("en"):
        render("Acme", counter)
        other = render("Globex", counter)

    assert other.startswith("Globex/Language/")


def test_each_language_has_its_own_copy():
    counter = Counter()
    with translation.override("en"):
        english = render("Acme", counter)
    with translation.override("ja"):
        japanese = render("Acme", counter)

    assert english.startswith("Acme/Language/")
    assert japanese.startswith("Acme/言語/")


def test_a_changed_setting_forgets_every_copy():
    counter = Counter()
    with translation.override("en"):
        render("Acme", counter)
        kept = render("Acme", counter)
        with override_settings(BRAND_NAME="Other"):
            again = render("Acme", counter)

    fragment_then, tail_then = kept.removeprefix("Acme/Language/").split("|")
    assert int(fragment_then) < int(tail_then)  # the fragment was the kept copy
    assert again == f"Acme/Language/{counter.calls - 1}|{counter.calls}"  # rendered anew


@pytest.mark.django_db
def test_the_layout_keeps_each_visitor_s_own_token_and_path():
    first = Client().get("/en/kb/?a=1").content.decode()
    second = Client().get("/en/kb/?b=2").content.decode()

    assert 'name="next" type="hidden" value="/en/kb/?a=1"' in first
    assert 'name="next" type="hidden" value="/en/kb/?b=2"' in second
    assert _footer_token(first) != _footer_token(second)


def _footer_token(page: str) -> str:
    footer = page[page.index('<footer class="mdg-footer">') :]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', footer).group(1)
