from madoguchi.kb.models.articles import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    ArticleVersion,
    VersionIsImmutableError,
)
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
    "ArticleTranslation",
    "ArticleVersion",
    "Category",
    "KnowledgeBase",
    "Section",
    "Segment",
    "SlugRedirect",
    "Tag",
    "VersionIsImmutableError",
    "Visibility",
]
