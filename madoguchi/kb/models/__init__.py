from madoguchi.kb.models.articles import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    ArticleVersion,
    VersionIsImmutableError,
    live_condition,
)
from madoguchi.kb.models.editorial import ArticleReview, ReviewReminder
from madoguchi.kb.models.feedback import ArticleFeedback
from madoguchi.kb.models.structure import (
    Category,
    KnowledgeBase,
    Section,
    Segment,
    SlugRedirect,
    Tag,
    Visibility,
)

__all__ = [
    "Article",
    "ArticleAttachment",
    "ArticleFeedback",
    "ArticleReview",
    "ArticleTranslation",
    "ArticleVersion",
    "Category",
    "KnowledgeBase",
    "ReviewReminder",
    "Section",
    "Segment",
    "SlugRedirect",
    "Tag",
    "VersionIsImmutableError",
    "Visibility",
    "live_condition",
]
