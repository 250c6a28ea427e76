"""Editors' writes: drafts, review by another editor, scheduled publishing, versions, restore,
archive, freshness reminders and follow-ups of readers' comments."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from madoguchi.accounts.models import Notification, NotificationPreference, User
from madoguchi.kb import authoring, services
from madoguchi.kb.models import (
    Article,
    ArticleFeedback,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    KnowledgeBase,
    ReviewReminder,
    VersionIsImmutableError,
)
from madoguchi.search.models import SearchDocument
from tests.factories import make_editor, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer() -> User:
    return make_editor("writer@example.com", name="Writer")


@pytest.fixture
def reviewer() -> User:
    return make_editor("reviewer@example.com", name="Reviewer", language="ja")


def _draft(kb: KnowledgeBase, writer: User, title: str = "プリンターの設定") -> ArticleTranslation:
    text = authoring.DraftText(title=title, body="**電源**を入れます。")
    return authoring.article_start(knowledge_base=kb, language="ja", text=text, author=writer)


def _publish(translation: ArticleTranslation, writer: User, reviewer: User) -> ArticleReview:
    review = authoring.review_request(translation, by=writer)
    return authoring.review_approve(review, by=reviewer)


def test_a_new_article_is_a_draft_readers_cannot_see(kb: KnowledgeBase, writer: User) -> None:
    translation = _draft(kb, writer)

    article = translation.article
    assert article.status == Article.Status.DRAFT
    assert article.owner == writer
    assert not translation.is_published
    assert translation.draft_title == "プリンターの設定"
    assert not Article.objects.live().filter(pk=article.pk).exists()


def test_only_editors_may_write(kb: KnowledgeBase) -> None:
    agent = make_user("agent@example.com", is_staff=True)
    text = authoring.DraftText(title="T", body="B")

    with pytest.raises(authoring.EditorialError):
        authoring.article_start(knowledge_base=kb, language="en", text=text, author=agent)
    assert not Article.objects.exists()


def test_another_editor_publishes_with_both_names_on_the_version(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)

    review = _publish(translation, writer, reviewer)

    translation.refresh_from_db()
    version = translation.current_version
    assert review.state == ArticleReview.State.PUBLISHED
    assert review.version == version
    assert (version.author, version.reviewer, version.number) == (writer, reviewer, 1)
    assert translation.is_published and translation.draft_body == ""
    assert "<strong>電源</strong>" in translation.body_html
    assert translation.article.status == Article.Status.PUBLISHED
    assert Article.objects.live().filter(pk=translation.article_id).exists()


def test_the_author_cannot_approve_their_own_change(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)
    review = authoring.review_request(translation, by=writer)

    with pytest.raises(authoring.EditorialError):
        authoring.review_approve(review, by=writer)

    review.refresh_from_db()
    assert review.state == ArticleReview.State.PENDING
    assert not ArticleVersion.objects.exists()


def test_a_reviewer_who_edited_the_draft_cannot_approve_it(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)
    review = authoring.review_request(translation, by=writer)
    authoring.draft_save(
        translation, text=authoring.DraftText("プリンターの設定", "直しました。"), author=reviewer
    )

    with pytest.raises(authoring.EditorialError):
        authoring.review_approve(review, by=reviewer)
    third = make_editor("third@example.com")
    authoring.review_approve(review, by=third)
    translation.refresh_from_db()
    assert translation.body == "直しました。"
    assert translation.current_version.author == writer


def test_a_draft_cannot_wait_for_two_reviews(kb: KnowledgeBase, writer: User) -> None:
    translation = _draft(kb, writer)
    authoring.review_request(translation, by=writer)

    with pytest.raises(authoring.EditorialError):
        authoring.review_request(translation, by=writer)
    assert ArticleReview.objects.count() == 1


def test_every_other_editor_hears_a_draft_waits_for_review(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)
    agent = make_user("agent@example.com", is_staff=True)
    customer = make_user("customer@example.com")

    authoring.review_request(translation, by=writer)

    told = Notification.objects.filter(kind="kb_review_requested")
    assert [note.recipient for note in told] == [reviewer]
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert not Notification.objects.filter(recipient__in=[writer, agent, customer]).exists()


def test_sending_back_needs_a_comment_and_tells_the_author(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)
    review = authoring.review_request(translation, by=writer)

    with pytest.raises(authoring.EditorialError):
        authoring.review_return(review, by=reviewer, comment="  ")
    authoring.review_return(review, by=reviewer, comment="手順を追加してください")

    review.refresh_from_db()
    assert review.state == ArticleReview.State.RETURNED
    assert translation.article.__class__.objects.get().status == Article.Status.DRAFT
    note = Notification.objects.get(recipient=writer)
    assert note.kind == "kb_review_returned"
    assert "手順を追加してください" in note.params["comment"]
    assert [m.to for m in mail.outbox if "Sent back" in m.subject] == [[writer.email]]


def test_scheduled_publishing_waits_for_its_time(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)
    later = timezone.now() + timedelta(hours=2)
    review = authoring.review_request(translation, by=writer, publish_at=later)

    authoring.review_approve(review, by=reviewer)

    article = Article.objects.get()
    assert article.status == Article.Status.SCHEDULED
    assert authoring.reviews_publish_due(now=timezone.now()) == 0
    assert not ArticleVersion.objects.exists()
    assert authoring.reviews_publish_due(now=later + timedelta(seconds=1)) == 1
    assert authoring.reviews_publish_due(now=later + timedelta(seconds=2)) == 0
    article.refresh_from_db()
    translation.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert translation.is_published
    assert translation.current_version.reviewer == reviewer


def test_the_periodic_task_is_registered_and_publishes(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    from madoguchi.core import periodic
    from madoguchi.kb import tasks

    translation = _draft(kb, writer)
    review = authoring.review_request(
        translation, by=writer, publish_at=timezone.now() + timedelta(seconds=30)
    )
    authoring.review_approve(review, by=reviewer)
    ArticleReview.objects.filter(pk=review.pk).update(publish_at=timezone.now())

    assert "kb.publish_due" in {job.name for job in periodic.jobs()}
    tasks.reviews_publish_due_task.enqueue()

    assert ArticleReview.objects.get().state == ArticleReview.State.PUBLISHED


def test_a_version_is_never_changed(kb: KnowledgeBase, writer: User, reviewer: User) -> None:
    _publish(_draft(kb, writer), writer, reviewer)
    version = ArticleVersion.objects.get()

    version.body = "changed"
    with pytest.raises(VersionIsImmutableError):
        version.save()
    with pytest.raises(VersionIsImmutableError):
        ArticleVersion.objects.update(body="changed")
    assert ArticleVersion.objects.get().body == "**電源**を入れます。"


def test_restoring_an_old_version_makes_a_draft_not_a_publication(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    translation = _draft(kb, writer)
    _publish(translation, writer, reviewer)
    authoring.draft_save(
        translation, text=authoring.DraftText("プリンターの設定", "新しい手順。"), author=writer
    )
    _publish(translation, writer, reviewer)
    first = ArticleVersion.objects.get(number=1)

    authoring.version_restore(first, by=writer)

    translation.refresh_from_db()
    assert translation.body == "新しい手順。"
    assert translation.draft_body == "**電源**を入れます。"
    assert translation.draft_author == writer
    assert ArticleVersion.objects.count() == 2
    _publish(translation, writer, reviewer)
    assert ArticleVersion.objects.get(number=3).body == first.body


def test_translations_out_of_date_against_the_source(
    kb: KnowledgeBase, writer: User, reviewer: User
) -> None:
    from madoguchi.kb import editor_selectors

    source = _draft(kb, writer)
    _publish(source, writer, reviewer)
    english = authoring.translation_start(source.article, language="en", author=writer)
    assert english.draft_body == "**電源**を入れます。"
    authoring.draft_save(
        english, text=authoring.DraftText("Printer setup", "Turn it **on**."), author=writer
    )
    _publish(english, writer, reviewer)
    article = Article.objects.get()
    assert [old for _t, old in editor_selectors.translation_states(article)] == [False, False]

    authoring.draft_save(
        source, text=authoring.DraftText("プリンターの設定", "改訂"), author=writer
    )
    _publish(source, writer, reviewer)

    states = {t.language: old for t, old in editor_selectors.translation_states(article)}
    assert states == {"en": True, "ja": False}


def test_archive_and_unarchive(
    kb: KnowledgeBase,
    writer: User,
    reviewer: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    translation = _draft(kb, writer)
    _publish(translation, writer, reviewer)
    article = Article.objects.get()
    indexed = SearchDocument.objects.filter(key=f"{article.pk}.{translation.language}")

    with django_capture_on_commit_callbacks(execute=True):
        authoring.article_archive(article, by=writer)
    assert not Article.objects.live().exists()
    assert not indexed.exists()  # the index follows, as search_status checks
    with django_capture_on_commit_callbacks(execute=True):
        authoring.article_unarchive(article, by=writer)
    assert Article.objects.live().count() == 1
    assert indexed.exists()


def test_review_reminder_goes_once_per_review_date(kb: KnowledgeBase, writer: User) -> None:
    translation = _draft(kb, writer)
    today = timezone.localdate()
    Article.objects.update(review_by=today - timedelta(days=1))

    assert authoring.review_reminders_send(today) == 1
    assert authoring.review_reminders_send(today) == 0
    assert Notification.objects.filter(recipient=writer, kind="kb_review_due").count() == 1
    assert len([m for m in mail.outbox if "Due for review" in m.subject]) == 1

    article = translation.article
    article.refresh_from_db()
    authoring.article_mark_reviewed(article, by=writer, today=today)
    article.refresh_from_db()
    assert article.last_reviewed_at is not None
    assert article.review_by == today + authoring.REVIEW_INTERVAL
    assert authoring.review_reminders_send(today) == 0

    # A new due date is a new period: one more reminder.
    Article.objects.update(review_by=today)
    assert authoring.review_reminders_send(today) == 1
    assert ReviewReminder.objects.count() == 2


def test_review_reminder_respects_the_owners_choice(kb: KnowledgeBase, writer: User) -> None:
    _draft(kb, writer)
    Article.objects.update(review_by=timezone.localdate())
    NotificationPreference.objects.create(
        user=writer, event="kb_review_due", channel="email", enabled=False
    )

    authoring.review_reminders_send()

    assert Notification.objects.filter(recipient=writer).count() == 1
    assert not [m for m in mail.outbox if writer.email in m.to]


def test_a_not_helpful_comment_becomes_a_follow_up_for_the_owner(
    kb: KnowledgeBase, writer: User, reviewer: User, alice: User
) -> None:
    translation = _draft(kb, writer)
    _publish(translation, writer, reviewer)
    article = Article.objects.get()

    vote = services.Vote(
        article=article, language="ja", helpful=False, comment="手順が古い", user=alice
    )
    feedback = services.feedback_give(vote)
    services.feedback_give(vote)

    assert feedback.follow_up == ArticleFeedback.FollowUp.OPEN
    notes = Notification.objects.filter(recipient=writer, kind="kb_follow_up")
    assert notes.count() == 1
    assert notes.get().params["comment"] == "手順が古い"

    services.feedback_follow_up_done(feedback, by=writer, dismiss=True)
    feedback.refresh_from_db()
    assert feedback.follow_up == ArticleFeedback.FollowUp.DISMISSED
    assert feedback.handled_by == writer


def test_a_helpful_vote_or_no_comment_opens_nothing(
    kb: KnowledgeBase, writer: User, reviewer: User, alice: User
) -> None:
    _publish(_draft(kb, writer), writer, reviewer)
    article = Article.objects.get()

    services.feedback_give(services.Vote(article=article, language="ja", helpful=False, user=alice))

    assert not ArticleFeedback.objects.filter(follow_up=ArticleFeedback.FollowUp.OPEN).exists()
    assert not Notification.objects.filter(kind="kb_follow_up").exists()
