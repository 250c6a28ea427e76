"""What search holds about a person, for their data export (R34)."""

from collections.abc import Iterator
from typing import Any

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User
from madoguchi.search.models import SearchLog


def _searches(user: User) -> Iterator[dict[str, Any]]:
    """What the person searched for while signed in, and what they opened."""
    for entry in SearchLog.objects.filter(user=user).order_by("pk"):
        yield {
            "query": entry.query,
            "searched_at": entry.created_at.isoformat(),
            "where": entry.surface,
            "results": entry.result_count,
            "opened": entry.clicked_key,
            "followed_by_request": entry.followed_by_request,
        }


def register() -> None:
    personal_data.export(SearchLog, "searches", _searches)
