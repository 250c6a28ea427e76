"""SLA badges for the agent's queue and request page, written in Python.

A queue shows 25 of them; as an included template, with its chain of conditions and three
translated phrases per badge, they cost more than the rest of each row. The phrases the
countdown script needs are written once per page ({% sla_phrases %}), not on every badge.
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

_WORDS = {
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
    "met": gettext_lazy("Met"),
    "missed": gettext_lazy("Missed"),
}
_RUNNING = {"on_track", "at_risk"}


def _left(time: str) -> str:
    return _("%(time)s left") % {"time": time}


def _overdue(time: str) -> str:
    return _("%(time)s overdue") % {"time": time}


@register.simple_tag
def sla_badge(state: str, due: datetime | None) -> SafeString | str:
    """The state's word and, while a target runs or is breached, the time left or overdue."""
    if not state:
        return ""
    word = _WORDS.get(state, _WORDS["missed"])
    return format_html(
        '<span class="mdg-sla mdg-sla-{}"><strong>{}</strong>{}</span>',
        state,
        word,
        _timer(state, due),
    )


def _timer(state: str, due: datetime | None) -> SafeString | str:
    # A running target may pass its due time while the page is open: the script then turns its
    # badge to "breached" (data-mdg-running).
    if due is None:
        return ""
    if state in _RUNNING:
        text, running = _left(timeuntil(due)), SafeString(" data-mdg-running")
    elif state == "breached":
        text, running = _overdue(timesince(due)), ""
    else:
        return ""
    return format_html(
        ' · <time datetime="{}" data-mdg-countdown{}>{}</time>',
        timezone.localtime(due).isoformat(),
        running,
        text,
    )


@register.simple_tag
def sla_phrases() -> SafeString:
    """The countdown script's phrases in the reader's language, with a {time} placeholder."""
    return format_html(
        '<span hidden id="mdg-sla-phrases" data-left="{}" data-overdue="{}" data-breached="{}">'
        "</span>",
        _left("{time}"),
        _overdue("{time}"),
        _WORDS["breached"],
    )
