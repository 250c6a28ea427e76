import pytest

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User
from madoguchi.kb import services
from madoguchi.kb.models import KnowledgeBase
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_person_votes_and_comments(
    kb: KnowledgeBase, alice: User, carol: User
) -> None:
    article = make_article(kb)
    for voter, comment in ((alice, "alice-canary"), (carol, "carol-canary")):
        services.feedback_give(
            services.Vote(
                article=article, language="en", helpful=False, comment=comment, user=voter
            )
        )

    rows = list(personal_data.sections()["help_centre_feedback"](alice))

    assert [(row["article"], row["helpful"], row["comment"]) for row in rows] == [
        (article.pk, False, "alice-canary")
    ]
