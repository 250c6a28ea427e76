"""Writes to the knowledge base: publishing, versions, slugs, translations, votes, files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.accounts.models import User
from madoguchi.core.errors import DomainError
from madoguchi.core.uploads import AttachmentRefusedError
from madoguchi.kb import services
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    KnowledgeBase,
    SlugRedirect,
    VersionIsImmutableError,
)
from tests.factories import make_article, make_kb

pytestmark = pytest.mark.django_db


def _text(
    title: str, body: str = "Body", language: str = "en", **fields: str
) -> services.ArticleText:
    return services.ArticleText(language=language, title=title, body=body, **fields)


def test_publishing_writes_a_version_per_change_with_its_author(
    kb: KnowledgeBase, dave: User
) -> None:
    article = make_article(kb, "First", author=dave)

    services.translation_save(article, _text("First", "Changed"), author=dave)

    versions = list(article.versions.order_by("number"))
    assert [(v.number, v.body, v.author) for v in versions] == [
        (1, "Open **Settings**.", dave),
        (2, "Changed", dave),
    ]
    translation = article.translations.get()
    assert translation.current_version == versions[1]
    assert translation.body_html == "<p>Changed</p>\n"


def test_versions_are_immutable(kb: KnowledgeBase) -> None:
    version = make_article(kb, "First").versions.get()
    version.title = "Rewritten"

    with pytest.raises(VersionIsImmutableError):
        version.save()
    with pytest.raises(VersionIsImmutableError):
        ArticleVersion.objects.update(title="x")


def test_draft_leaves_the_published_text_alone(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Live", body="Live body")

    services.translation_save(article, _text("Live", "Work in progress"), publish=False)

    translation = article.translations.get()
    assert (translation.body, translation.draft_body) == ("Live body", "Work in progress")
    assert article.versions.count() == 1


def test_translation_goes_out_of_date_when_the_source_changes(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Source", translations={"ja": ("翻訳", "本文")})
    english = article.translations.get(language="en")
    japanese = article.translations.get(language="ja")
    assert not services.translation_is_outdated(japanese, english)

    services.translation_save(article, _text("Source", "New source text"))

    english.refresh_from_db()
    assert services.translation_is_outdated(japanese, english)
    services.translation_save(article, _text("翻訳", "新しい本文", language="ja"))
    japanese.refresh_from_db()
    assert not services.translation_is_outdated(japanese, english)


def test_title_slug_clash_is_numbered_chosen_slug_clash_is_refused(kb: KnowledgeBase) -> None:
    make_article(kb, "Same title")
    second = make_article(kb, "Same title")

    assert second.translations.get().slug == f"same-title-{second.pk}"
    with pytest.raises(services.SlugTakenError):
        services.translation_save(second, _text("Other", slug="same-title"))


def test_japanese_titles_make_japanese_slugs(kb: KnowledgeBase) -> None:
    article = make_article(kb, "請求書の見方", language="ja")

    assert article.translations.get().slug == "請求書の見方"


def test_renaming_twice_keeps_every_old_slug_and_reuse_drops_the_redirect(
    kb: KnowledgeBase,
) -> None:
    article = make_article(kb, "One")
    services.translation_save(article, _text("Two"))
    services.translation_save(article, _text("Three"))
    assert set(SlugRedirect.objects.values_list("slug", flat=True)) == {"one", "two"}

    services.translation_save(article, _text("One"))

    assert set(SlugRedirect.objects.values_list("slug", flat=True)) == {"two", "three"}


def test_too_long_article_is_refused(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Short")

    with pytest.raises(DomainError):
        services.translation_save(article, _text("Short", "x" * 1_000_001))


def test_votes_keep_tallies_and_open_follow_ups(kb: KnowledgeBase, alice: User) -> None:
    article = make_article(kb, "Voted")

    services.feedback_give(services.Vote(article=article, language="en", helpful=False, user=alice))
    first = ArticleFeedback.objects.get()
    assert first.follow_up == ArticleFeedback.FollowUp.NONE
    services.feedback_give(
        services.Vote(article=article, language="en", helpful=False, comment=" Why? ", user=alice)
    )
    services.feedback_give(
        services.Vote(article=article, language="ja", helpful=True, visitor_key="v1")
    )

    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    first.refresh_from_db()
    assert (first.comment, first.follow_up) == ("Why?", ArticleFeedback.FollowUp.OPEN)


def test_a_vote_needs_a_reader(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Voted")

    with pytest.raises(DomainError):
        services.feedback_give(services.Vote(article=article, language="en", helpful=True))


def test_attachments_are_checked_by_content_and_stored_under_random_keys(
    kb: KnowledgeBase,
) -> None:
    article = make_article(kb, "Manual")

    stored = services.attachment_add(
        article, SimpleUploadedFile("../../etc/manual.pdf", b"%PDF-1.4 body"), draft=False
    )

    assert stored.name == "manual.pdf" and stored.content_type == "application/pdf"
    assert "manual" not in stored.file.name and stored.file.name.startswith("kb/")
    with pytest.raises(AttachmentRefusedError):
        services.attachment_add(
            article, SimpleUploadedFile("x.pdf", b"<svg onload=alert(1)>"), draft=False
        )
    assert ArticleAttachment.objects.count() == 1


def test_attachment_over_the_limit_is_refused_and_leaves_nothing(
    kb: KnowledgeBase, settings: object
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 10
    article = make_article(kb, "Manual")

    with pytest.raises(AttachmentRefusedError):
        services.attachment_add(
            article, SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * 20), draft=False
        )

    assert not ArticleAttachment.objects.exists()


def test_a_new_knowledge_base_is_public_by_default(db: None) -> None:
    kb = make_kb("fresh")

    assert kb.default_visibility == "public"
    assert Article.objects.count() == 0
