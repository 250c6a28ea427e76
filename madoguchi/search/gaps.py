"""Reads for the knowledge-gap report: what people searched for and did not find.

Searches are grouped so near-duplicates fall together: two queries belong to one group when
their analysed words are the same set, a word and its synonyms counting as one ("reset
password", "Password resetting" and "パスワード リセット" typed with full-width letters all
become one group, and with the synonyms PW, パスワード "PWリセット" too), so the report shows one
line per need rather than one per spelling. Groups whose words differ by one typed letter
("pasword reset") join too, when they are long enough, in Latin letters and without digits, for
one letter not to be a different need ("print" and "paint", "order 1234" and "order 1235" stay
apart; Japanese words are not compared this way, where one character is a different word).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from madoguchi.search.engines import Phrase
from madoguchi.search.models import SearchLog
from madoguchi.search.query import synonym_map, word_groups

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


def group_key(normalized_query: str, synonyms: dict[Phrase, set[Phrase]] | None = None) -> str:
    """Return what near-duplicate queries share: their analysed words, each as the first of its
    synonyms, as a sorted set."""
    groups = word_groups(normalized_query, synonyms)
    words = sorted({" ".join(min(group)) for group in groups})
    return " | ".join(words) or normalized_query


# Keys shorter than this are never joined by a typed letter: one letter is another word there.
TYPO_MIN_LENGTH = 8
TYPO_MAX_LENGTH = 60


def _misspellings_joined(groups: dict[str, QueryGroup]) -> list[QueryGroup]:
    """Join groups whose keys are one typed letter apart (left out, added, changed or two
    swapped), the most searched wording naming the whole.

    Keys sharing a string with one letter deleted are that close (SymSpell's idea): each key is
    looked up by its deletions, not compared with every other key.
    """
    parent = {key: key for key in groups}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    by_deletion: dict[str, str] = {}
    for key in groups:
        if not _may_be_misspelt(key):
            continue
        for variant in {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}:
            other = by_deletion.setdefault(variant, key)
            if other != key:
                parent[root(key)] = root(other)
    joined: dict[str, QueryGroup] = {}
    for key in sorted(groups, key=lambda k: -groups[k].searches):
        _add_to(joined.setdefault(root(key), QueryGroup(label="", lang="")), groups[key])
    return list(joined.values())


def _may_be_misspelt(key: str) -> bool:
    return (
        TYPO_MIN_LENGTH <= len(key) <= TYPO_MAX_LENGTH
        and key.isascii()
        and not any(char.isdigit() for char in key)
    )


def _add_to(whole: QueryGroup, part: QueryGroup) -> None:
    if not whole.label:
        whole.label, whole.lang = part.label, part.lang  # the most searched comes first
    for text, count in part.variants.items():
        whole.variants[text] = whole.variants.get(text, 0) + count
    whole.searches += part.searches
    whole.zero_results += part.zero_results
    whole.followed_by_request += part.followed_by_request
    whole.clicked += part.clicked
    whole.deflected += part.deflected


def _rows(since: object, scope: str) -> Iterable[dict]:
    searches = SearchLog.objects.filter(created_at__gte=since)
    if scope:
        # Entries logged before searches had scopes belong to every scope.
        searches = searches.filter(scope__in=[scope, ""])
    return (
        searches.exclude(normalized_query="")
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


def knowledge_gaps(*, days: int = DEFAULT_DAYS, rows: int = ROWS, scope: str = "") -> GapReport:
    """Return the searches of the last `days` days grouped by need, three ways round; with a
    scope, those typed there only."""
    groups: dict[str, QueryGroup] = {}
    synonyms = synonym_map()  # read once, not once a row
    for row in _rows(timezone.now() - timedelta(days=days), scope):
        text = row["normalized_query"]
        key = group_key(text, synonyms)
        group = groups.setdefault(key, QueryGroup(label=text, lang=row["lang"]))
        group.variants[text] = group.variants.get(text, 0) + row["searches"]
        group.searches += row["searches"]
        group.zero_results += row["zero_results"]
        group.followed_by_request += row["followed"]
        group.clicked += row["clicked"]
        group.deflected += row["deflected"]
        group.label = max(group.variants, key=group.variants.get)
    every = _misspellings_joined(groups)
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
