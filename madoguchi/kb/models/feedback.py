"""What readers tell about an article: "Was this helpful?" votes and their comments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.kb.models.articles import Article


class ArticleFeedback(models.Model):
    """One reader's vote on an article, with an optional comment.

    A signed-in reader has one vote per article (a second replaces the first); a visitor is
    told apart by a random key kept in their session. A "not helpful" vote with a comment opens a
    follow-up for the article's owner.
    """

    class FollowUp(models.TextChoices):
        NONE = "none", _("No follow-up needed")
        OPEN = "open", _("To follow up")
        DONE = "done", _("Followed up")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_feedback",
    )
    visitor_key = models.CharField(_("visitor"), max_length=64, blank=True)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=8, choices=FollowUp, default=FollowUp.NONE, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    handled_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="kb_feedback_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "visitor_key"],
                condition=Q(user__isnull=True) & ~Q(visitor_key=""),
                name="kb_feedback_one_per_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} {'+' if self.helpful else '-'}"
