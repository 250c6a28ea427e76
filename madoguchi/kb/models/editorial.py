"""The editors' side of an article: reviews of drafts and the owner's review reminders.

A draft is published only after another editor approves it (ArticleReview): the person who asks
for the review and the last author of the draft may not approve it. An approved review may wait
for its publish_at; a periodic task publishes it when due.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.kb.models.articles import Article, ArticleTranslation, ArticleVersion


class ArticleReview(models.Model):
    """One request to publish the draft of a translation, and what the reviewer decided."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        SCHEDULED = "scheduled", _("Approved, scheduled")
        PUBLISHED = "published", _("Approved and published")
        RETURNED = "returned", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="reviews"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True, help_text=_("Empty: publish when approved.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    version = models.ForeignKey(
        ArticleVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )

    class Meta:
        verbose_name = _("article review")
        verbose_name_plural = _("article reviews")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open review per translation: a second request would race the first.
            models.UniqueConstraint(
                fields=["translation"],
                condition=Q(state__in=["pending", "scheduled"]),
                name="kb_review_one_open",
            )
        ]
        indexes = [models.Index(fields=["state", "publish_at"], name="kb_review_due")]

    def __str__(self) -> str:
        return f"{self.translation} {self.state}"


class ReviewReminder(models.Model):
    """A reminder sent to an article's owner for one review-by date: at most one per date."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reminders")
    review_by = models.DateField(_("review by"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "review_by"], name="kb_reminder_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article} {self.review_by}"
