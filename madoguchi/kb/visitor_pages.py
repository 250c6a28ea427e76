"""Cached help-centre pages (core.page_cache) are cleared when what they show changes.

Saving or deleting any model a reader's page is built from, or changing an article's tags,
related articles or audience, clears every cached page once the transaction commits. Services
that change articles with a bulk UPDATE (archive, import) call page_cache.invalidate_on_commit()
themselves. Feedback and view counts do not clear pages: they show within PAGE_CACHE_SECONDS.
"""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from madoguchi.core import page_cache
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    Category,
    KnowledgeBase,
    Section,
    SlugRedirect,
    Tag,
)

SHOWN = (
    KnowledgeBase,
    Category,
    Section,
    Tag,
    Article,
    ArticleTranslation,
    ArticleAttachment,
    SlugRedirect,
)


def _changed(**_kwargs: Any) -> None:
    page_cache.invalidate_on_commit()


def register() -> None:
    for model in SHOWN:
        post_save.connect(_changed, sender=model, dispatch_uid=f"visitor-pages-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"visitor-pages-delete-{model}")
    for field in ("tags", "related", "organisations", "segments"):
        through = getattr(Article, field).through
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"visitor-pages-{field}")
