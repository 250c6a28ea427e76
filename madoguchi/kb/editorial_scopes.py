"""Who may see reviews and reminders: agents only (they are the editors' business)."""

from typing import Any

from django.db.models import QuerySet

from madoguchi.core import access
from madoguchi.kb.models import ArticleReview, ReviewReminder


def _agents_only(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if user.is_staff and user.is_active else queryset.none()


def register() -> None:
    access.register(ArticleReview, _agents_only)
    access.register(ReviewReminder, _agents_only)
