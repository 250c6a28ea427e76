"""Articles, their translations, their published versions and their files.

An article is language-neutral (where it sits, who may read it, who owns it); each language is an
ArticleTranslation holding the live text and, separately, an editor's working draft. Every
publication of a translation writes an immutable ArticleVersion; a translation points at the
version of the source language it was translated from, so "out of date against the source" is a
comparison of two ids.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Organisation, private_storage
from madoguchi.kb.models.structure import KnowledgeBase, Section, Segment, Tag, Visibility


def live_condition(through: str = "", now: datetime | None = None) -> models.Q:
    """The condition of live(), on the article reached through `through` ("article__" from a
    translation): a join, where `article__in=Article.objects.live()` lists every live article."""
    return models.Q(
        **{
            f"{through}status__in": [Article.Status.PUBLISHED, Article.Status.SCHEDULED],
            f"{through}publish_at__lte": now or timezone.now(),
        }
    )


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self, now: datetime | None = None) -> "ArticleQuerySet":
        """Published articles, and scheduled ones whose time has come (even if no task ran)."""
        return self.filter(live_condition(now=now))


class Article(models.Model):
    """One piece of help, in one or more languages."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="articles"
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("When the article goes live; set when it is published or scheduled."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility, default=Visibility.PUBLIC
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="kb_articles", verbose_name=_("organisations")
    )
    segments = models.ManyToManyField(
        Segment, blank=True, related_name="articles", verbose_name=_("segments")
    )
    source_language = models.CharField(
        _("source language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("related articles")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles_owned",
        verbose_name=_("owner"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        blank=True,
        help_text=_("The id the article has in the system it was imported from."),
    )
    view_count = models.PositiveBigIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("not helpful votes"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_base", "external_id"],
                condition=~Q(external_id=""),
                name="kb_article_external_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["section", "status", "position"], name="kb_article_section"),
            models.Index(fields=["knowledge_base", "status", "-view_count"], name="kb_popular"),
            models.Index(fields=["knowledge_base", "status", "-updated_at"], name="kb_recent"),
            models.Index(fields=["review_by"], name="kb_article_review_by"),
        ]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"


class ArticleTranslation(models.Model):
    """An article in one language: the live text readers see and an editor's working draft.

    `knowledge_base` repeats the article's so that a slug is unique per knowledge base and
    language in the database itself.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Readers of this language see it; otherwise they get another language."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    # The sanitised rendering of body (core.markdown.render), stored so a page view renders none.
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)
    meta_description = models.CharField(_("meta description"), max_length=300, blank=True)
    current_version = models.ForeignKey(
        "ArticleVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    # For a translation: the source-language version it was last translated from.
    source_version = models.ForeignKey(
        "ArticleVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translated from version"),
    )
    draft_title = models.CharField(_("draft title"), max_length=200, blank=True)
    draft_body = models.TextField(_("draft body"), blank=True)
    draft_meta_description = models.CharField(
        _("draft meta description"), max_length=300, blank=True
    )
    draft_updated_at = models.DateTimeField(_("draft updated at"), null=True, blank=True)
    draft_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("draft author"),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="kb_translation_one_per_language"
            ),
            models.UniqueConstraint(
                fields=["knowledge_base", "language", "slug"], name="kb_translation_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class ArticleVersionQuerySet(models.QuerySet["ArticleVersion"]):
    def update(self, **kwargs: object) -> int:
        raise VersionIsImmutableError


class VersionIsImmutableError(Exception):
    def __init__(self) -> None:
        super().__init__("An article version is never changed: publish a new one.")


class ArticleVersion(models.Model):
    """The text of one translation as it was published once. Never changed afterwards."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    meta_description = models.CharField(_("meta description"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # Who approved it in review, where it went through one.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    source_version = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translated from version"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("published at"), default=timezone.now)

    objects = ArticleVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "language", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language", "number"], name="kb_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language} v{self.number})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise VersionIsImmutableError
        super().save(*args, **kwargs)


class ArticleAttachment(models.Model):
    """A file on an article (a manual, a PDF), served only to those who may read the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    # Empty for a file of every language.
    language = models.CharField(_("language"), max_length=8, blank=True)
    file = models.FileField(_("file"), upload_to="kb/%Y/%m/", storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # Empty while the file belongs to a draft: readers get it once the article is next published.
    published_at = models.DateTimeField(_("shown to readers since"), null=True, blank=True)

    class Meta:
        verbose_name = _("article file")
        verbose_name_plural = _("article files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name
