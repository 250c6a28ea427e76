"""The SLA badge tag: the state's word, the time left or overdue, and the countdown's phrases."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from madoguchi.tickets.templatetags.sla_badges import sla_badge, sla_phrases


def test_a_running_target_shows_the_time_left_and_is_marked_running() -> None:
    due = timezone.now() + timedelta(hours=2, minutes=1)

    badge = sla_badge("at_risk", due)

    assert badge.startswith('<span class="mdg-sla mdg-sla-at_risk"><strong>At risk</strong> · ')
    assert f'datetime="{timezone.localtime(due).isoformat()}"' in badge
    assert "data-mdg-countdown data-mdg-running>2\xa0hours left</time>" in badge


def test_a_breached_target_shows_the_time_overdue_and_counts_on() -> None:
    badge = sla_badge("breached", timezone.now() - timedelta(minutes=5))

    assert "<strong>Breached</strong>" in badge
    assert "data-mdg-countdown>5\xa0minutes overdue</time>" in badge
    assert "data-mdg-running" not in badge


@pytest.mark.parametrize(
    ("state", "word"), [("paused", "Paused"), ("met", "Met"), ("missed", "Missed")]
)
def test_a_settled_target_shows_only_its_word(state: str, word: str) -> None:
    badge = sla_badge(state, timezone.now())

    assert badge == f'<span class="mdg-sla mdg-sla-{state}"><strong>{word}</strong></span>'


def test_no_state_no_badge() -> None:
    assert sla_badge("", None) == ""


def test_badge_and_phrases_speak_japanese() -> None:
    with translation.override("ja"):
        badge = sla_badge("on_track", timezone.now() + timedelta(days=1, hours=1))
        phrases = sla_phrases()

    assert "<strong>順調</strong>" in badge
    assert ">残り 1日" in badge
    assert 'data-left="残り {time}" data-overdue="{time} 超過" data-breached="期限超過"' in phrases


def test_the_tags_escape_nothing_they_are_given_into_markup() -> None:
    rendered = Template("{% load sla_badges %}{% sla_badge state due %}").render(
        Context({"state": '"><script>', "due": None})
    )

    assert "<script>" not in rendered
