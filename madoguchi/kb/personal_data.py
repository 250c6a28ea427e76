"""What the help centre holds about a person, for their data export (R34)."""

from collections.abc import Iterator
from typing import Any

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    ReviewReminder,
    Segment,
)

COMPANY_CONTENT = (
    "Help-centre content the company publishes; who wrote, reviewed or owns it is the record "
    "of the work, not data about the person."
)


def _feedback(user: User) -> Iterator[dict[str, Any]]:
    """The person's "Was this helpful?" answers and comments."""
    votes = ArticleFeedback.objects.filter(user=user).order_by("pk")
    for vote in votes.select_related("article"):
        yield {
            "article": vote.article_id,
            "language": vote.language,
            "helpful": vote.helpful,
            "comment": vote.comment,
            "given_at": vote.created_at.isoformat(),
        }


def register() -> None:
    personal_data.export(ArticleFeedback, "help_centre_feedback", _feedback)
    for model in (Article, ArticleTranslation, ArticleVersion, ArticleAttachment, ArticleReview):
        personal_data.exclude(model, COMPANY_CONTENT)
    personal_data.exclude(
        ReviewReminder, "A note that an owner was reminded; the reminder is in the notifications."
    )
    personal_data.exclude(
        Segment, "Who may read some articles, by organisation or role: configuration."
    )
