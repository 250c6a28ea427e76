"""Reads for knowledge-base editors: the article list with its filters, translations out of date,
history, reviews and follow-ups. Editors are agents, so core.access gives them every article."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from madoguchi.core import access
from madoguchi.kb.models import (
    Article,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    KnowledgeBase,
)

# Editors are agents given this permission through a staff role (accounts.Role).
EDIT_PERMISSION = "kb.change_article"


def may_edit(user: Any) -> bool:
    """Tell whether the user is an editor of the knowledge base."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(EDIT_PERMISSION)
    )


def editors() -> QuerySet[Any]:
    """Everyone may_edit() lets in: active agents with the permission (from a role, their
    own or as superusers)."""
    users = ModelBackend().with_perm(EDIT_PERMISSION, is_active=True)
    return users.filter(is_staff=True).order_by("pk")


@dataclass(frozen=True)
class ArticleFilters:
    knowledge_base: int | None = None
    status: str = ""
    language: str = ""
    owner: int | None = None
    overdue: bool = False
    outdated: bool = False


def overdue_articles(today: date | None = None) -> QuerySet[Article]:
    """Articles (not archived) whose review-by date has come."""
    return Article.objects.filter(review_by__lte=today or timezone.localdate()).exclude(
        status=Article.Status.ARCHIVED
    )


def articles_for_editor(user: Any, filters: ArticleFilters) -> QuerySet[Article]:
    articles = access.visible(user, Article)
    if filters.knowledge_base:
        articles = articles.filter(knowledge_base=filters.knowledge_base)
    if filters.status:
        articles = articles.filter(status=filters.status)
    if filters.language:
        articles = articles.filter(translations__language=filters.language)
    if filters.owner:
        articles = articles.filter(owner=filters.owner)
    if filters.overdue:
        articles = articles.filter(pk__in=overdue_articles().values("pk"))
    if filters.outdated:
        articles = articles.filter(Exists(_outdated_translations()))
    translations = ArticleTranslation.objects.select_related("draft_author")
    return (
        articles.select_related("knowledge_base", "owner", "section")
        .prefetch_related(Prefetch("translations", queryset=translations))
        .order_by("-updated_at", "-pk")
        .distinct()
    )


def article_for_editor(user: Any, pk: int) -> Article:
    return access.get_visible_or_404(
        user, Article.objects.select_related("knowledge_base", "owner", "section"), pk=pk
    )


def translation_for_editor(user: Any, pk: int) -> ArticleTranslation:
    return access.get_visible_or_404(
        user, ArticleTranslation.objects.select_related("article__knowledge_base"), pk=pk
    )


def is_outdated(translation: ArticleTranslation, source: ArticleTranslation | None) -> bool:
    """Tell whether a translation was made from an older version of the source text."""
    if source is None or translation.language == source.language:
        return False
    if source.current_version_id is None or not translation.is_published:
        return False
    return translation.source_version_id != source.current_version_id


def _outdated_translations() -> QuerySet[ArticleTranslation]:
    """The article's published translations made from an older version of its source text.

    The same rule as is_outdated, for the database: the list filters on it before paging.
    """
    source_now = ArticleTranslation.objects.filter(
        article=OuterRef("article"), language=OuterRef("article__source_language")
    ).values("current_version")[:1]
    return (
        ArticleTranslation.objects.filter(article=OuterRef("pk"), is_published=True)
        .exclude(language=OuterRef("source_language"))
        .annotate(source_now=Subquery(source_now))
        .filter(source_now__isnull=False)
        .exclude(source_version=F("source_now"))
    )


def translation_states(article: Article) -> list[tuple[ArticleTranslation, bool]]:
    """Each translation of the article with whether it is out of date against the source."""
    translations = list(article.translations.all())
    source = next((t for t in translations if t.language == article.source_language), None)
    return [(translation, is_outdated(translation, source)) for translation in translations]


def open_review(translation: ArticleTranslation) -> ArticleReview | None:
    return (
        translation.reviews.filter(
            state__in=[ArticleReview.State.PENDING, ArticleReview.State.SCHEDULED]
        )
        .select_related("requested_by")
        .first()
    )


def may_approve(user: Any, review: ArticleReview, translation: ArticleTranslation) -> bool:
    """Neither the editor who asked for the review nor the draft's last author may approve it."""
    return user.pk not in {review.requested_by_id, translation.draft_author_id}


def last_returned(translation: ArticleTranslation) -> ArticleReview | None:
    """The latest review, when it sent the draft back (its comment is shown to the author)."""
    latest = translation.reviews.select_related("decided_by").first()
    return latest if latest and latest.state == ArticleReview.State.RETURNED else None


def reviews_waiting(user: Any) -> QuerySet[ArticleReview]:
    return (
        access.visible(user, ArticleReview)
        .filter(state=ArticleReview.State.PENDING)
        .select_related("translation__article", "requested_by")
        .order_by("requested_at")
    )


def review_for_editor(user: Any, pk: int) -> ArticleReview:
    return access.get_visible_or_404(
        user, ArticleReview.objects.select_related("translation__article"), pk=pk
    )


def versions_of(user: Any, article: Article, language: str) -> QuerySet[ArticleVersion]:
    return (
        access.visible(user, ArticleVersion)
        .filter(article=article, language=language)
        .select_related("author", "reviewer")
        .order_by("-number")
    )


def version_for_editor(user: Any, pk: int) -> ArticleVersion:
    return access.get_visible_or_404(user, ArticleVersion, pk=pk)


def knowledge_bases_for_editor(user: Any) -> QuerySet[KnowledgeBase]:
    return access.visible(user, KnowledgeBase)


def translation_of(user: Any, version: ArticleVersion) -> ArticleTranslation:
    return access.get_visible_or_404(
        user, ArticleTranslation, article_id=version.article_id, language=version.language
    )
