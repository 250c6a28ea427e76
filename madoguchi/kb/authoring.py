"""Every write editors make: drafts, review before publishing, scheduling, archive, freshness
and restoring old versions. Texts are written through kb.services (one publishing path).

Editors are active agents holding EDIT_PERMISSION (given through a staff role). A draft goes
live only through review_approve by an editor other than the one who asked for the review and
the draft's last author; publishing writes an immutable ArticleVersion naming both.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core import page_cache
from madoguchi.core.errors import DomainError
from madoguchi.kb import editor_selectors, indexing, notices, services
from madoguchi.kb.models import (
    Article,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    KnowledgeBase,
    ReviewReminder,
    Section,
)

# "Mark as reviewed" on a due article sets its next review this far ahead.
REVIEW_INTERVAL = timedelta(days=180)
OPEN_REVIEW = [ArticleReview.State.PENDING, ArticleReview.State.SCHEDULED]


class EditorialError(DomainError):
    pass


def _require_editor(user: Any) -> None:
    if not editor_selectors.may_edit(user):
        raise EditorialError(_("Only knowledge-base editors may do this."))


@dataclass(frozen=True)
class DraftText:
    """What an editor typed for one language."""

    title: str
    body: str
    meta_description: str = ""


# Drafts --------------------------------------------------------------------------------------


@transaction.atomic
def article_start(
    *,
    knowledge_base: KnowledgeBase,
    language: str,
    text: DraftText,
    author: Any,
    section: Section | None = None,
) -> ArticleTranslation:
    """Create an unpublished article owned by its author, with a draft in its source language."""
    _require_editor(author)
    article = services.article_create(
        services.NewArticle(
            knowledge_base=knowledge_base,
            texts=[_text(language, text)],
            section=section,
            author=author,
            publish=False,
        )
    )
    return article.translations.get(language=language)


def _text(language: str, text: DraftText, slug: str = "") -> services.ArticleText:
    return services.ArticleText(
        language=language,
        title=text.title.strip(),
        body=text.body,
        slug=slug,
        meta_description=text.meta_description.strip(),
    )


def _draft_fill(translation: ArticleTranslation, text: DraftText, author: Any) -> None:
    services.translation_save(
        translation.article,
        _text(translation.language, text, translation.slug),
        author=author,
        publish=False,
    )


@transaction.atomic
def draft_save(translation: ArticleTranslation, *, text: DraftText, author: Any) -> None:
    """Store an editor's working text; readers see no change until it is published.

    Editing a draft that waits for review keeps the review open, but its new author may no
    longer approve it. Locks the translation row.
    """
    _require_editor(author)
    locked = ArticleTranslation.objects.select_for_update().get(pk=translation.pk)
    if locked.reviews.filter(state=ArticleReview.State.SCHEDULED).exists():
        raise EditorialError(
            _("This text is approved and scheduled; cancel the schedule before editing it.")
        )
    _draft_fill(locked, text, author)
    translation.refresh_from_db()


@transaction.atomic
def translation_start(article: Article, *, language: str, author: Any) -> ArticleTranslation:
    """Open a new language of the article, its draft starting from the source text."""
    _require_editor(author)
    source = article.translations.get(language=article.source_language)
    if article.translations.filter(language=language).exists():
        raise EditorialError(_("This article already has that language."))
    text = DraftText(
        title=source.title if source.is_published else source.draft_title,
        body=source.body if source.is_published else source.draft_body,
        meta_description=source.meta_description,
    )
    # No slug of its own yet: one is made from the (still source-language) title.
    return services.translation_save(article, _text(language, text), author=author, publish=False)


@transaction.atomic
def version_restore(version: ArticleVersion, *, by: Any) -> ArticleTranslation:
    """Copy an old version into its translation's draft; publishing it again needs a review."""
    _require_editor(by)
    translation = ArticleTranslation.objects.select_for_update().get(
        article_id=version.article_id, language=version.language
    )
    if translation.reviews.filter(state__in=OPEN_REVIEW).exists():
        raise EditorialError(_("A review of this text is open; finish it before restoring."))
    text = DraftText(
        title=version.title, body=version.body, meta_description=version.meta_description
    )
    _draft_fill(translation, text, by)
    return translation


# Review --------------------------------------------------------------------------------------


def has_draft(translation: ArticleTranslation) -> bool:
    return bool(translation.draft_updated_at and translation.draft_title.strip())


@transaction.atomic
def review_request(
    translation: ArticleTranslation, *, by: Any, publish_at: datetime | None = None
) -> ArticleReview:
    """Ask another editor to publish the translation's draft (at publish_at, if given)."""
    _require_editor(by)
    locked = ArticleTranslation.objects.select_for_update().get(pk=translation.pk)
    if not has_draft(locked):
        raise EditorialError(_("There is no draft to review: save your changes first."))
    if publish_at is not None and publish_at <= timezone.now():
        publish_at = None
    try:
        with transaction.atomic():
            review = ArticleReview.objects.create(
                translation=locked, requested_by=by, publish_at=publish_at
            )
    except IntegrityError as error:
        raise EditorialError(_("This text already waits for review.")) from error
    article = locked.article
    if article.status == Article.Status.DRAFT:
        Article.objects.filter(pk=article.pk).update(status=Article.Status.IN_REVIEW)
    notices.review_requested(review)
    return review


def _open_review(review: ArticleReview, state: str) -> ArticleReview:
    locked = ArticleReview.objects.select_for_update().select_related("translation__article")
    found = locked.get(pk=review.pk)
    if found.state != state:
        raise EditorialError(_("This review was already decided."))
    return found


@transaction.atomic
def review_approve(review: ArticleReview, *, by: Any) -> ArticleReview:
    """Approve a draft: publish it now, or schedule it for the review's publish_at.

    Refused to the editor who asked for the review and to the draft's last author. Locks the
    review and its translation.
    """
    _require_editor(by)
    review = _open_review(review, ArticleReview.State.PENDING)
    translation = ArticleTranslation.objects.select_for_update().get(pk=review.translation_id)
    if not editor_selectors.may_approve(by, review, translation):
        raise EditorialError(_("Another editor must review your own change."))
    review.decided_by, review.decided_at = by, timezone.now()
    article = translation.article
    if review.publish_at and review.publish_at > timezone.now():
        review.state = ArticleReview.State.SCHEDULED
        review.save(update_fields=["state", "decided_by", "decided_at"])
        if article.status in (Article.Status.DRAFT, Article.Status.IN_REVIEW):
            article.status, article.publish_at = Article.Status.SCHEDULED, review.publish_at
            article.save(update_fields=["status", "publish_at"])
        notices.review_decided(review)
        return review
    _review_publish(review, translation)
    return review


def _review_publish(review: ArticleReview, translation: ArticleTranslation) -> None:
    article = translation.article
    text = DraftText(
        translation.draft_title, translation.draft_body, translation.draft_meta_description
    )
    published = services.translation_save(
        article,
        _text(translation.language, text, translation.slug),
        author=review.requested_by,
        reviewer=review.decided_by,
    )
    if article.status != Article.Status.ARCHIVED:
        services.article_mark_published(article)
    review.version = published.current_version
    review.state = ArticleReview.State.PUBLISHED
    review.save(update_fields=["state", "decided_by", "decided_at", "version"])
    notices.review_decided(review)


@transaction.atomic
def review_return(review: ArticleReview, *, by: Any, comment: str) -> ArticleReview:
    """Send a draft back to its author with a comment saying what to change."""
    _require_editor(by)
    if not comment.strip():
        raise EditorialError(_("Say what should change before sending the draft back."))
    review = _open_review(review, ArticleReview.State.PENDING)
    review.state = ArticleReview.State.RETURNED
    review.decided_by, review.decided_at = by, timezone.now()
    review.comment = comment.strip()[:4000]
    review.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    Article.objects.filter(
        pk=review.translation.article_id, status=Article.Status.IN_REVIEW
    ).update(status=Article.Status.DRAFT)
    notices.review_decided(review)
    return review


@transaction.atomic
def review_cancel(review: ArticleReview, *, by: Any) -> None:
    """Withdraw an open review (or a scheduled publication); the draft stays."""
    _require_editor(by)
    review = ArticleReview.objects.select_for_update().get(pk=review.pk)
    if review.state not in OPEN_REVIEW:
        raise EditorialError(_("This review was already decided."))
    review.state = ArticleReview.State.WITHDRAWN
    review.decided_by, review.decided_at = by, timezone.now()
    review.save(update_fields=["state", "decided_by", "decided_at"])
    Article.objects.filter(
        pk=review.translation.article_id,
        status__in=[Article.Status.IN_REVIEW, Article.Status.SCHEDULED],
    ).update(status=Article.Status.DRAFT, publish_at=None)
    indexing.articles_index_later([review.translation.article_id])


def reviews_publish_due(now: datetime | None = None) -> int:
    """Publish approved drafts whose time has come; return how many were published."""
    moment = now or timezone.now()
    due = ArticleReview.objects.filter(
        state=ArticleReview.State.SCHEDULED, publish_at__lte=moment
    ).values_list("pk", flat=True)
    published = 0
    for pk in list(due):
        with transaction.atomic():
            review = ArticleReview.objects.select_for_update().filter(pk=pk).first()
            if review is None or review.state != ArticleReview.State.SCHEDULED:
                continue  # Another worker published it, or an editor cancelled it.
            translation = ArticleTranslation.objects.select_for_update().get(
                pk=review.translation_id
            )
            _review_publish(review, translation)
            published += 1
    return published


# Article settings and life cycle --------------------------------------------------------------


@dataclass(frozen=True)
class ArticleSettings:
    """Where an article sits and who may read it, as an editor sets them."""

    section: Section | None
    visibility: str
    organisations: list[Any]
    segments: list[Any]
    tags: list[Any]
    related: list[Article]
    owner: Any
    review_by: date | None
    # Tags the editor typed that the knowledge base may not have yet (created as needed).
    new_tags: list[str] = field(default_factory=list)
    # The article's place in its section's list (lower first); None keeps it.
    position: int | None = None


@transaction.atomic
def article_settings_update(article: Article, *, settings: ArticleSettings, by: Any) -> None:
    _require_editor(by)
    if settings.section and settings.section.knowledge_base_id != article.knowledge_base_id:
        raise EditorialError(_("Choose a section of the article's own knowledge base."))
    article.section = settings.section
    article.visibility = settings.visibility
    article.owner = settings.owner
    article.review_by = settings.review_by
    if settings.position is not None:
        article.position = settings.position
    article.updated_at = timezone.now()
    article.save(
        update_fields=["section", "visibility", "owner", "review_by", "position", "updated_at"]
    )
    article.organisations.set(settings.organisations)
    article.segments.set(settings.segments)
    created = services.tags_get_or_create(article.knowledge_base, settings.new_tags)
    article.tags.set([*settings.tags, *created])
    article.related.set([other for other in settings.related if other.pk != article.pk])


def article_archive(article: Article, *, by: Any) -> None:
    """Take an article off the help centre; its texts and history stay."""
    _require_editor(by)
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.ARCHIVED, updated_at=timezone.now()
    )
    indexing.articles_index_later([article.pk])
    page_cache.invalidate_on_commit()


def article_unarchive(article: Article, *, by: Any) -> None:
    """Bring an archived article back: live if it was ever published, else a draft."""
    _require_editor(by)
    published = article.translations.filter(is_published=True).exists()
    status = Article.Status.PUBLISHED if published else Article.Status.DRAFT
    Article.objects.filter(pk=article.pk, status=Article.Status.ARCHIVED).update(
        status=status, updated_at=timezone.now()
    )
    indexing.articles_index_later([article.pk])
    page_cache.invalidate_on_commit()


# Freshness -----------------------------------------------------------------------------------


def article_mark_reviewed(article: Article, *, by: Any, today: date | None = None) -> None:
    """Record that an editor checked the article is still right; a due date moves ahead."""
    _require_editor(by)
    today = today or timezone.localdate()
    article.last_reviewed_at = timezone.now()
    fields = ["last_reviewed_at"]
    if article.review_by is None or article.review_by <= today:
        article.review_by = today + REVIEW_INTERVAL
        fields.append("review_by")
    article.save(update_fields=fields)


def review_reminders_send(today: date | None = None) -> int:
    """Remind each owner of an overdue article, once per review-by date; return how many."""
    sent = 0
    due = editor_selectors.overdue_articles(today).filter(
        owner__isnull=False, owner__is_active=True
    )
    # Owners already reminded for the article's present review-by date are left alone.
    due = due.exclude(reminders__review_by=F("review_by"))
    for article in due.select_related("owner"):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ReviewReminder.objects.create(
                        article=article, review_by=article.review_by, owner=article.owner
                    )
            except IntegrityError:
                continue  # Another worker reminded for this date.
            notices.review_due(article)
        sent += 1
    return sent
