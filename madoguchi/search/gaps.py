"""Reads for the knowledge-gap report: what people searched for and did not find.

Searches are grouped so near-duplicates fall together: two queries belong to one group when
their analysed tokens are the same set ("reset password", "Password resetting" and "パスワード
リセット" typed with full-width letters all become one group), so the report shows one line per
need rather than one per spelling.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from madoguchi.search.analysis import analyze
from madoguchi.search.models import SearchLog

DEFAULT_DAYS = 30
ROWS = 50


@dataclass
class QueryGroup:
    """Searches for one need: its most typed wording, the other wordings, and what followed."""

    label: str
    lang: str
    searches: int = 0
    zero_results: int = 0
    followed_by_request: int = 0
    clicked: int = 0
    deflected: int = 0
    variants: dict[str, int] = field(default_factory=dict)

    @property
    def other_wordings(self) -> list[str]:
        return sorted(self.variants, key=self.variants.get, reverse=True)[1:]


@dataclass(frozen=True)
class GapReport:
    days: int
    top: list[QueryGroup]
    zero_results: list[QueryGroup]
    followed_by_request: list[QueryGroup]


def group_key(normalized_query: str) -> str:
    """Return what near-duplicate queries share: their analysed tokens, as a sorted set."""
    tokens = sorted(set(analyze(normalized_query)))
    return " ".join(tokens) or normalized_query


def _rows(since: object) -> Iterable[dict]:
    return (
        SearchLog.objects.filter(created_at__gte=since)
        .exclude(normalized_query="")
        .values("normalized_query", "lang")
        .annotate(
            searches=Count("id"),
            zero_results=Count("id", filter=Q(result_count=0)),
            followed=Count("id", filter=Q(followed_by_request=True)),
            clicked=Count("id", filter=~Q(clicked_key="")),
            deflected=Count(
                "id",
                filter=Q(surface=SearchLog.Surface.REQUEST_FORM, followed_by_request=False)
                & ~Q(clicked_key=""),
            ),
        )
    )


def knowledge_gaps(*, days: int = DEFAULT_DAYS, rows: int = ROWS) -> GapReport:
    """Return the searches of the last `days` days grouped by need, three ways round."""
    groups: dict[str, QueryGroup] = {}
    for row in _rows(timezone.now() - timedelta(days=days)):
        text = row["normalized_query"]
        group = groups.setdefault(group_key(text), QueryGroup(label=text, lang=row["lang"]))
        group.variants[text] = group.variants.get(text, 0) + row["searches"]
        group.searches += row["searches"]
        group.zero_results += row["zero_results"]
        group.followed_by_request += row["followed"]
        group.clicked += row["clicked"]
        group.deflected += row["deflected"]
        group.label = max(group.variants, key=group.variants.get)
    every = list(groups.values())
    return GapReport(
        days=days,
        top=sorted(every, key=lambda g: -g.searches)[:rows],
        zero_results=sorted((g for g in every if g.zero_results), key=lambda g: -g.zero_results)[
            :rows
        ],
        followed_by_request=sorted(
            (g for g in every if g.followed_by_request), key=lambda g: -g.followed_by_request
        )[:rows],
    )
