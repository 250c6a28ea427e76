import pytest

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User
from madoguchi.search import services

pytestmark = pytest.mark.django_db


def test_the_export_holds_what_the_person_searched_for(alice: User, carol: User) -> None:
    for user, query in ((alice, "alice-canary"), (carol, "carol-canary"), (None, "visitor")):
        services.search_log_record(
            query=query, normalized_query=query, mode="hybrid", result_count=0, user=user
        )

    rows = list(personal_data.sections()["searches"](alice))

    assert [(row["query"], row["results"]) for row in rows] == [("alice-canary", 0)]
