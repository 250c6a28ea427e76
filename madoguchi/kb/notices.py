"""Who hears about editorial work: reviews asked and decided, review dates due, readers'
comments to follow up. Sent through accounts.notifications.notify, which honours each person's
choice per event and channel; call these inside the service's transaction."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation as i18n
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import User
from madoguchi.accounts.notifications import Notice, notify, register_event, register_text
from madoguchi.core import later_mail
from madoguchi.core.later_mail import LaterMail
from madoguchi.kb import editor_selectors
from madoguchi.kb.models import Article, ArticleFeedback, ArticleReview, ArticleTranslation

register_event(
    "kb_review", _("An article waits for my review, or my draft was reviewed"), for_agents=True
)
register_event("kb_review_due", _("An article I own is due for review"), for_agents=True)
register_event("kb_follow_up", _("A reader's comment on an article I own"), for_agents=True)
register_text("kb_review_requested", _("“%(title)s” waits for your review"))
register_text("kb_review_published", _("Your draft of “%(title)s” was approved"))
register_text("kb_review_scheduled", _("Your draft of “%(title)s” was approved and scheduled"))
register_text("kb_review_returned", _("Your draft of “%(title)s” was sent back: %(comment)s"))
register_text("kb_review_due", _("“%(title)s” is due for review"))
register_text("kb_follow_up", _("A reader found “%(title)s” not helpful: %(comment)s"))


def _title(translation: ArticleTranslation) -> str:
    return translation.draft_title or translation.title


@later_mail.writer
def _mail(recipient: User, name: str, context: dict[str, object]) -> EmailMessage:
    with i18n.override(recipient.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"kb/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"kb/email/{name}_message.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


@later_mail.writer
def _review_due_mail(recipient: User, article: Article, context: dict[str, object]) -> EmailMessage:
    return _mail(recipient, "review_due", {**context, "review_by": article.review_by})


def _edit_url(translation: ArticleTranslation) -> str:
    return reverse("kb_agent:edit", args=[translation.pk])


def _tell(  # noqa: PLR0913  (what one editor hears, in the portal and by mail)
    recipient: User,
    *,
    event: str,
    kind: str,
    url: str,
    params: dict[str, object],
    key: str,
    writer: later_mail.Writer = _mail,
    **mail_arguments: object,
) -> None:
    """Tell recipient in the portal, and by a mail the worker writes with params and the page."""
    context = {**params, "url": settings.SITE_URL + url}
    arguments = {"recipient": recipient, "context": context, **mail_arguments}
    notify(
        Notice(
            recipient=recipient,
            event=event,
            kind=kind,
            url=url,
            params=params,
            mail=LaterMail(writer, arguments, key=key),
        )
    )


def review_requested(review: ArticleReview) -> None:
    """Tell the people who could review a draft that it waits: every editor but the one who
    asked (a review needs another editor), the article's owner among them."""
    translation = review.translation
    people = {person.pk: person for person in editor_selectors.editors()}
    owner = translation.article.owner
    if owner is not None:
        people[owner.pk] = owner
    people.pop(review.requested_by_id, None)
    for person in people.values():
        _tell(
            person,
            event="kb_review",
            kind="kb_review_requested",
            url=_edit_url(translation),
            params={"title": _title(translation)},
            key=f"kb-review-{review.pk}-requested-{person.pk}",
            name="review_requested",
        )


def review_decided(review: ArticleReview) -> None:
    """Tell the editor who asked for the review what the reviewer decided."""
    author = review.requested_by
    if author is None or author.pk == review.decided_by_id:
        return
    _tell(
        author,
        event="kb_review",
        kind=f"kb_review_{review.state}",
        url=_edit_url(review.translation),
        params={"title": _title(review.translation), "comment": review.comment},
        key=f"kb-review-{review.pk}-{review.state}",
        name=f"review_{review.state}",
    )


def review_due(article: Article) -> None:
    """Remind the article's owner that its review-by date has come."""
    owner = article.owner
    translation = article.translations.filter(language=article.source_language).first()
    if owner is None or translation is None:
        return
    _tell(
        owner,
        event="kb_review_due",
        kind="kb_review_due",
        url=reverse("kb_agent:article", args=[article.pk]),
        params={"title": translation.title},
        key=f"kb-review-due-{article.pk}-{article.review_by}",
        writer=_review_due_mail,
        article=article,
    )


def follow_up_opened(feedback: ArticleFeedback) -> None:
    """Tell the article's owner that a reader found it not helpful and said why."""
    article = feedback.article
    owner = article.owner
    translation = article.translations.filter(language=feedback.language).first()
    if owner is None or not owner.is_staff or translation is None:
        return
    _tell(
        owner,
        event="kb_follow_up",
        kind="kb_follow_up",
        url=reverse("kb_agent:follow_ups"),
        params={"title": translation.title, "comment": feedback.comment[:200]},
        key=f"kb-follow-up-{feedback.pk}-{feedback.updated_at.timestamp()}",
        name="follow_up",
    )
