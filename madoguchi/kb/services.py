"""Every write to the knowledge base: structure, publishing text, feedback and view counts.

Publishing a translation renders its Markdown once through core.markdown (the one sanitiser,
R14), stores the result, and writes an immutable ArticleVersion. A changed slug leaves a
SlugRedirect behind so the old URL keeps working.
"""

import functools
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override as translation_override

from madoguchi.accounts.models import private_storage
from madoguchi.branding.models import Brand
from madoguchi.core import markdown, uploads
from madoguchi.core.errors import DomainError
from madoguchi.kb import notices
from madoguchi.kb.formats import BODY_MAX
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    Category,
    KnowledgeBase,
    Section,
    SlugRedirect,
    Tag,
)

SLUG_MAX = 200
# Pictures in articles are re-encoded from their pixels (GIFs, which may be animated, are kept).


class SlugTakenError(DomainError):
    pass


@dataclass(frozen=True)
class ArticleText:
    """One language's text of an article, as an editor or an import gives it."""

    language: str
    title: str
    body: str
    slug: str = ""
    meta_description: str = ""


@dataclass(frozen=True)
class NewArticle:
    """What article_create needs; visibility defaults to the knowledge base's."""

    knowledge_base: KnowledgeBase
    texts: list[ArticleText]
    section: Section | None = None
    author: Any = None
    visibility: str = ""
    tags: list[str] = field(default_factory=list)
    external_id: str = ""
    position: int = 0
    publish: bool = True
    # Who may read it when visibility is "organisations" or "segments".
    organisations: list[Any] = field(default_factory=list)
    segments: list[Any] = field(default_factory=list)


def knowledge_base_get_or_create(
    *, brand: Brand, slug: str, name_en: str = "", name_ja: str = ""
) -> KnowledgeBase:
    """Return the brand's knowledge base with slug, creating it (public by default) if missing."""
    kb, _created = KnowledgeBase.objects.get_or_create(
        brand=brand, slug=slug, defaults={"name_en": name_en or slug, "name_ja": name_ja}
    )
    return kb


def category_get_or_create(
    kb: KnowledgeBase, *, slug: str, name_en: str = "", name_ja: str = ""
) -> Category:
    position = kb.categories.count()
    category, _created = Category.objects.get_or_create(
        knowledge_base=kb,
        slug=slug,
        defaults={"name_en": name_en or slug, "name_ja": name_ja, "position": position},
    )
    return category


def section_get_or_create(
    category: Category, *, slug: str, name_en: str = "", name_ja: str = ""
) -> Section:
    """Return the knowledge base's section with slug, creating it in category if missing."""
    section, _created = Section.objects.get_or_create(
        knowledge_base=category.knowledge_base,
        slug=slug,
        defaults={
            "category": category,
            "name_en": name_en or slug,
            "name_ja": name_ja,
            "position": category.sections.count(),
        },
    )
    return section


@transaction.atomic
def section_rename(section: Section, *, slug: str) -> Section:
    """Give a section a new slug; its old address answers 301 to the new one."""
    return _container_rename(section, SlugRedirect.Kind.SECTION, slug)


@transaction.atomic
def category_rename(category: Category, *, slug: str) -> Category:
    """Give a category a new slug; its old address answers 301 to the new one."""
    return _container_rename(category, SlugRedirect.Kind.CATEGORY, slug)


def _container_rename[C: Category | Section](container: C, kind: str, slug: str) -> C:
    old = container.slug
    container.slug = slug
    container.full_clean()
    container.save(update_fields=["slug"])
    container_slug_moved(container, kind, old)
    return container


def container_slug_moved(container: Category | Section, kind: str, old: str) -> None:
    """Point a category's or section's old slug at it (its old address answers 301), after it
    was saved under a new one (here or in the admin); the new slug redirects nowhere now."""
    where = {"knowledge_base_id": container.knowledge_base_id, "kind": kind, "language": ""}
    SlugRedirect.objects.filter(**where, slug=container.slug).delete()
    if old and old != container.slug:
        SlugRedirect.objects.update_or_create(
            **where, slug=old, defaults={"object_id": container.pk}
        )


def tags_get_or_create(kb: KnowledgeBase, names: Iterable[str]) -> list[Tag]:
    found = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        slug = slugify(name, allow_unicode=True)[:80] or "tag"
        tag, _created = Tag.objects.get_or_create(
            knowledge_base=kb, slug=slug, defaults={"name": name[:80]}
        )
        found.append(tag)
    return found


def slug_for(text: ArticleText) -> str:
    """Return the slug the text asks for, or one made from its title (Japanese kept as is)."""
    chosen = text.slug or text.title
    return slugify(chosen, allow_unicode=True)[:SLUG_MAX].strip("-")


@transaction.atomic
def article_create(new: NewArticle) -> Article:
    """Create an article with its translations, published at once unless new.publish is False."""
    kb = new.knowledge_base
    first = new.texts[0].language if new.texts else "en"
    article = Article.objects.create(
        knowledge_base=kb,
        section=new.section,
        position=new.position,
        visibility=new.visibility or kb.default_visibility,
        source_language=first,
        external_id=new.external_id,
        owner=new.author,
    )
    if new.tags:
        article.tags.set(tags_get_or_create(kb, new.tags))
    article.organisations.set(new.organisations)
    article.segments.set(new.segments)
    # The source language first, so translations point at its version.
    for text in new.texts:
        translation_save(article, text, author=new.author, publish=new.publish)
    if new.publish:
        article_mark_published(article)
    return article


def article_mark_published(article: Article) -> None:
    """Make the article live now (or keep its earlier publication time)."""
    now = timezone.now()
    article.status = Article.Status.PUBLISHED
    article.publish_at = article.publish_at or now
    article.updated_at = now
    article.save(update_fields=["status", "publish_at", "updated_at"])


@transaction.atomic
def translation_save(
    article: Article,
    text: ArticleText,
    *,
    author: Any = None,
    publish: bool = True,
    reviewer: Any = None,
) -> ArticleTranslation:
    """Write one language of an article; publishing also writes a version.

    reviewer is the editor who approved the text in review (kb.authoring), kept on the version.

    Unpublished, the text goes to the translation's draft fields and readers see no change.
    Raises SlugTakenError when another article of the knowledge base has the slug.
    """
    if len(text.body) > BODY_MAX:
        raise DomainError(
            _("The article is longer than %(max)s characters: split it into several.")
            % {"max": f"{BODY_MAX:,}"}
        )
    translation = (
        ArticleTranslation.objects.select_for_update()
        .filter(article=article, language=text.language)
        .first()
    )
    if translation is None:
        translation = ArticleTranslation(
            article=article, knowledge_base_id=article.knowledge_base_id, language=text.language
        )
    if not publish:
        return _draft_save(translation, text, author)
    return _publish(translation, text, author, reviewer)


def _draft_save(
    translation: ArticleTranslation, text: ArticleText, author: Any
) -> ArticleTranslation:
    translation.draft_title = text.title
    translation.draft_body = text.body
    translation.draft_meta_description = text.meta_description
    translation.draft_updated_at = timezone.now()
    translation.draft_author = author
    if translation.pk is None:
        # A new language that has never been published still needs a title and a slug.
        translation.title = text.title
        translation.slug = _free_slug(translation, slug_for(text), explicit=bool(text.slug))
    translation.save()
    return translation


def _publish(
    translation: ArticleTranslation, text: ArticleText, author: Any, reviewer: Any = None
) -> ArticleTranslation:
    article = translation.article
    now = timezone.now()
    old_slug = translation.slug if translation.pk else ""
    new_slug = _free_slug(translation, slug_for(text), explicit=bool(text.slug))
    version = _version_write(article, text, author, reviewer)
    translation.title = text.title
    translation.slug = new_slug
    translation.body = text.body
    translation.body_html = render_body(text.body)
    translation.meta_description = text.meta_description
    translation.current_version = version
    translation.source_version = version.source_version
    translation.is_published = True
    translation.published_at = translation.published_at or now
    translation.updated_at = now
    translation.draft_title = translation.draft_body = translation.draft_meta_description = ""
    translation.draft_updated_at = None
    translation.draft_author = None
    translation.save()
    _redirects_update(translation, old_slug)
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    # The files uploaded while the text was a draft go live with it.
    article.attachments.filter(published_at__isnull=True).update(published_at=now)
    return translation


def _version_write(
    article: Article, text: ArticleText, author: Any, reviewer: Any = None
) -> ArticleVersion:
    latest = article.versions.filter(language=text.language).aggregate(n=Max("number"))["n"]
    source = None
    if text.language != article.source_language:
        source = (
            ArticleTranslation.objects.filter(article=article, language=article.source_language)
            .values_list("current_version", flat=True)
            .first()
        )
    return ArticleVersion.objects.create(
        article=article,
        language=text.language,
        number=(latest or 0) + 1,
        title=text.title,
        body=text.body,
        meta_description=text.meta_description,
        author=author,
        reviewer=reviewer,
        source_version_id=source,
    )


def render_body(body: str) -> str:
    """Return the sanitised HTML readers see for an article body (the editor's preview too).

    Images may come only from the help centre's own file addresses, served under the
    article's visibility.
    """
    return markdown.render(body, image_prefix=files_prefixes())


@functools.cache
def files_prefixes() -> tuple[str, ...]:
    """The addresses of article files in every language (/en/kb/files/, /ja/kb/files/)."""
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation_override(code):
            prefixes.append(reverse("kb:attachment", kwargs={"pk": 1}).removesuffix("1/"))
    return tuple(prefixes)


def attachment_url(attachment: ArticleAttachment) -> str:
    """The address of an article file in the active language."""
    return reverse("kb:attachment", kwargs={"pk": attachment.pk})


def _free_slug(translation: ArticleTranslation, wanted: str, *, explicit: bool) -> str:
    """Return wanted if no other article of the knowledge base uses it in this language.

    A slug made from a title gets the article's number appended instead of failing; a slug
    chosen by hand (or in an import) that is taken is refused.
    """
    wanted = wanted or f"article-{translation.article_id}"
    taken = (
        ArticleTranslation.objects.filter(
            knowledge_base_id=translation.knowledge_base_id,
            language=translation.language,
            slug=wanted,
        )
        .exclude(article_id=translation.article_id)
        .exists()
    )
    if not taken:
        return wanted
    if explicit:
        raise SlugTakenError(
            _("Another article already uses the address “%(slug)s” in this language.")
            % {"slug": wanted}
        )
    return f"{wanted[: SLUG_MAX - 12]}-{translation.article_id}"


def _redirects_update(translation: ArticleTranslation, old_slug: str) -> None:
    """Point the old slug at the article and let the new one resolve directly."""
    where = {
        "knowledge_base_id": translation.knowledge_base_id,
        "kind": SlugRedirect.Kind.ARTICLE,
        "language": translation.language,
    }
    SlugRedirect.objects.filter(**where, slug=translation.slug).delete()
    if old_slug and old_slug != translation.slug:
        SlugRedirect.objects.update_or_create(
            **where, slug=old_slug, defaults={"object_id": translation.article_id}
        )


def translation_is_outdated(translation: ArticleTranslation, source: ArticleTranslation) -> bool:
    """Tell whether a translation was made from an older version of the source text."""
    if translation.language == source.language or source.current_version_id is None:
        return False
    return translation.source_version_id != source.current_version_id


def attachment_add(
    article: Article, upload: UploadedFile, *, draft: bool, by: Any = None, language: str = ""
) -> ArticleAttachment:
    """Store a file on an article under a random key (R13), checked by its bytes (R11).

    A file for a draft (an editor's upload) reaches readers when the article is next published;
    any other is theirs at once. The file is written before the row; if the row cannot be
    written the file is removed, so nothing half-written stays behind.
    """
    checked = uploads.check(upload)
    if checked.size > settings.ATTACHMENT_MAX_BYTES:
        raise uploads.AttachmentRefusedError(
            _("%(name)s is larger than the limit of %(limit)s MB.")
            % {"name": checked.name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    # Pictures come back from the check written anew from their pixels, without metadata.
    content: Any = upload if checked.content is None else ContentFile(checked.content)
    key = f"kb/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    stored = private_storage().save(key, content)
    try:
        return ArticleAttachment.objects.create(
            article=article,
            language=language,
            file=stored,
            name=checked.name,
            content_type=checked.content_type,
            size=content.size,
            uploaded_by=by,
            published_at=None if draft else timezone.now(),
        )
    except Exception:
        private_storage().delete(stored)
        raise


# Feedback ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    """A reader's answer to "Was this helpful?"."""

    article: Article
    language: str
    helpful: bool
    comment: str = ""
    user: Any = None
    visitor_key: str = ""


@transaction.atomic
def feedback_give(vote: Vote) -> ArticleFeedback:
    """Record a reader's vote, replacing their earlier one, and keep the article's tallies.

    A "not helpful" vote with a comment opens a follow-up for the owner. Locks the article row
    so two votes at once count correctly.
    """
    article = Article.objects.select_for_update().get(pk=vote.article.pk)
    who = (
        {"user": vote.user}
        if vote.user is not None
        else {"user": None, "visitor_key": vote.visitor_key}
    )
    if not who.get("user") and not vote.visitor_key:
        raise DomainError(_("Your vote could not be recorded. Reload the page and try again."))
    earlier = ArticleFeedback.objects.filter(article=article, **who).first()
    comment = vote.comment.strip()[:2000]
    follow_up = (
        ArticleFeedback.FollowUp.OPEN
        if not vote.helpful and comment
        else ArticleFeedback.FollowUp.NONE
    )
    # The owner hears of a comment once, not again when the same reader votes the same again.
    already_told = earlier is not None and (earlier.follow_up, earlier.comment) == (
        ArticleFeedback.FollowUp.OPEN,
        comment,
    )
    if earlier is not None:
        _tally(article, earlier.helpful, -1)
        earlier.helpful, earlier.comment, earlier.follow_up = vote.helpful, comment, follow_up
        earlier.language, earlier.updated_at = vote.language, timezone.now()
        earlier.save(update_fields=["helpful", "comment", "follow_up", "language", "updated_at"])
        feedback = earlier
    else:
        feedback = ArticleFeedback.objects.create(
            article=article,
            language=vote.language,
            helpful=vote.helpful,
            comment=comment,
            follow_up=follow_up,
            **who,
        )
    _tally(article, vote.helpful, 1)
    if follow_up == ArticleFeedback.FollowUp.OPEN and not already_told:
        notices.follow_up_opened(feedback)
    return feedback


def _tally(article: Article, helpful: bool, step: int) -> None:
    column = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{column: F(column) + step})


def feedback_follow_up_done(feedback: ArticleFeedback, *, by: Any, dismiss: bool = False) -> None:
    """Mark a reader's comment as followed up, or dismiss it as needing no change."""
    done = ArticleFeedback.FollowUp
    feedback.follow_up = done.DISMISSED if dismiss else done.DONE
    feedback.handled_by = by
    feedback.handled_at = timezone.now()
    feedback.save(update_fields=["follow_up", "handled_by", "handled_at"])


# View counts ---------------------------------------------------------------------------------

# Page views are counted in memory and written in one batch now and then, not on every hit:
# a popular article would otherwise make every reader wait for the same row lock. A process
# that dies loses at most one batch of counts, which a view counter can afford.
FLUSH_EVERY_VIEWS = 100
FLUSH_EVERY_SECONDS = 30.0
_pending: Counter[int] = Counter()
_pending_lock = threading.Lock()
_last_flush = [time.monotonic()]


def article_view_record(article_id: int) -> None:
    """Count one view of an article; writes the pending counts when a batch is due."""
    with _pending_lock:
        _pending[article_id] += 1
        due = (
            sum(_pending.values()) >= FLUSH_EVERY_VIEWS
            or time.monotonic() - _last_flush[0] >= FLUSH_EVERY_SECONDS
        )
    if due:
        article_views_flush()


def article_views_flush() -> int:
    """Write the pending view counts to the articles; return how many views were written."""
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush[0] = time.monotonic()
    for article_id, views in batch.items():
        Article.objects.filter(pk=article_id).update(view_count=F("view_count") + views)
    return sum(batch.values())
