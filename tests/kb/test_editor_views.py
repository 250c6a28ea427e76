"""The editor's pages through the test client: who may open them, drafts, review, preview,
uploads, history with diff and restore, in English and Japanese."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from madoguchi.accounts.models import User
from madoguchi.kb import authoring
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    KnowledgeBase,
    Tag,
)
from tests.factories import make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer() -> User:
    return make_editor("writer@example.com", name="Writer")


@pytest.fixture
def reviewer() -> User:
    return make_editor("reviewer@example.com", name="Reviewer")


@pytest.fixture
def draft(kb: KnowledgeBase, writer: User) -> ArticleTranslation:
    text = authoring.DraftText(title="Printer setup", body="Turn it **on**.")
    return authoring.article_start(knowledge_base=kb, language="en", text=text, author=writer)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_customers_get_404_and_agents_without_the_role_403(
    alice: User, dave: User, draft: ArticleTranslation
) -> None:
    urls = [
        reverse("kb_agent:index"),
        reverse("kb_agent:new"),
        reverse("kb_agent:edit", args=[draft.pk]),
        reverse("kb_agent:versions", args=[draft.pk]),
        reverse("kb_agent:article", args=[draft.article_id]),
    ]
    for url in urls:
        assert _signed_in(alice).get(url).status_code == 404, url
        assert _signed_in(dave).get(url).status_code == 403, url
    refused = _signed_in(dave).post(
        reverse("kb_agent:edit", args=[draft.pk]), {"title": "Hijack", "body": "x"}
    )
    assert refused.status_code == 403
    draft.refresh_from_db()
    assert draft.draft_title == "Printer setup"


def test_an_editor_creates_a_japanese_article(kb: KnowledgeBase, writer: User) -> None:
    client = _signed_in(writer)
    form = {"knowledge_base": kb.pk, "language": "ja", "title": "初期設定", "body": "**電源**"}

    response = client.post(reverse("kb_agent:new"), form)

    translation = ArticleTranslation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("kb_agent:edit", args=[translation.pk])
    assert (translation.language, translation.draft_title) == ("ja", "初期設定")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "初期設定" in page
    assert "下書きを保存" in page


def test_a_missing_title_re_renders_with_the_input_kept(kb: KnowledgeBase, writer: User) -> None:
    client = _signed_in(writer)

    response = client.post(
        reverse("kb_agent:new"), {"knowledge_base": kb.pk, "language": "en", "body": "kept text"}
    )

    assert response.status_code == 200
    assert "kept text" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Article.objects.exists()


def test_a_knowledge_gap_link_starts_the_draft_with_its_words(
    kb: KnowledgeBase, writer: User
) -> None:
    query = "?title=%E9%A0%98%E5%8F%8E%E6%9B%B8%20%E5%86%8D%E7%99%BA%E8%A1%8C&language=ja"

    response = _signed_in(writer).get(reverse("kb_agent:new") + query)

    form = response.context["form"]
    assert form["title"].value() == "領収書 再発行"
    assert form["language"].value() == "ja"
    assert not Article.objects.exists()


def test_an_unknown_language_in_a_gap_link_is_ignored(kb: KnowledgeBase, writer: User) -> None:
    response = _signed_in(writer).get(reverse("kb_agent:new") + "?title=x&language=xx")

    assert response.context["form"]["language"].value() != "xx"


def test_review_then_publish_by_another_editor(
    draft: ArticleTranslation, writer: User, reviewer: User
) -> None:
    edit = reverse("kb_agent:edit", args=[draft.pk])
    _signed_in(writer).post(
        edit, {"title": "Printer setup", "body": "Turn it **on**.", "review": "1"}
    )
    review = ArticleReview.objects.get()

    own = _signed_in(writer).get(edit).content.decode()
    assert "Another editor must review your own change." in own
    _signed_in(writer).post(reverse("kb_agent:review", args=[review.pk]), {"action": "approve"})
    assert ArticleReview.objects.get().state == ArticleReview.State.PENDING

    page = _signed_in(reviewer).get(edit).content.decode()
    assert "Approve and publish" in page
    _signed_in(reviewer).post(reverse("kb_agent:review", args=[review.pk]), {"action": "approve"})

    draft.refresh_from_db()
    assert draft.is_published
    assert draft.current_version.reviewer == reviewer
    reader = Client().get("/en/kb/help/articles/printer-setup/")
    assert reader.status_code == 200
    assert "<strong>on</strong>" in reader.content.decode()


def test_preview_is_the_published_rendering(writer: User) -> None:
    response = _signed_in(writer).post(
        reverse("kb_agent:preview"),
        {"body": "**bold** <script>alert(1)</script> ![x](/en/kb/files/3/) ![y](https://evil/)"},
    )

    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert '<img src="/en/kb/files/3/" alt="x">' in html
    assert "evil" not in html


def test_an_image_upload_becomes_an_article_file_readers_can_open(
    draft: ArticleTranslation, writer: User, reviewer: User
) -> None:
    client = _signed_in(writer)

    response = client.post(
        reverse("kb_agent:upload", args=[draft.article_id]),
        {"file": SimpleUploadedFile("画面.png", _png(), content_type="image/png")},
    )

    answer = response.json()
    attachment = ArticleAttachment.objects.get()
    assert answer == {"url": f"/en/kb/files/{attachment.pk}/", "name": "画面.png", "image": True}
    body = f"Look: ![画面]({answer['url']})"
    authoring.draft_save(draft, text=authoring.DraftText("Printer setup", body), author=writer)
    review = authoring.review_request(draft, by=writer)
    authoring.review_approve(review, by=reviewer)
    page = Client().get("/en/kb/help/articles/printer-setup/").content.decode()
    assert f'<img src="{answer["url"]}" alt="画面">' in page
    image = Client().get(answer["url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"


def test_a_file_for_the_draft_of_a_live_article_waits_for_its_publication(
    draft: ArticleTranslation, writer: User, reviewer: User
) -> None:
    authoring.review_approve(authoring.review_request(draft, by=writer), by=reviewer)
    article_page = "/en/kb/help/articles/printer-setup/"
    response = _signed_in(writer).post(
        reverse("kb_agent:upload", args=[draft.article_id]),
        {"file": SimpleUploadedFile("新製品.pdf", b"%PDF-1.4 unreleased", "application/pdf")},
    )
    address = response.json()["url"]
    text = authoring.DraftText("Printer setup", f"New: [manual]({address})")
    authoring.draft_save(draft, text=text, author=writer)

    assert "新製品.pdf" not in Client().get(article_page).content.decode()
    assert Client().get(address).status_code == 404
    assert _signed_in(writer).get(address).status_code == 200

    authoring.review_approve(authoring.review_request(draft, by=writer), by=reviewer)

    assert "新製品.pdf" in Client().get(article_page).content.decode()
    assert Client().get(address).status_code == 200


def test_an_upload_of_a_refused_kind_answers_a_reason(
    draft: ArticleTranslation, writer: User
) -> None:
    response = _signed_in(writer).post(
        reverse("kb_agent:upload", args=[draft.article_id]),
        {"file": SimpleUploadedFile("page.html", b"<html><script>1</script>", "text/html")},
    )

    assert response.status_code == 400
    assert "page.html" in response.json()["error"]
    assert not ArticleAttachment.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    draft: ArticleTranslation, writer: User, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _signed_in(writer).post(
        reverse("kb_agent:upload", args=[draft.article_id]),
        {"file": SimpleUploadedFile("big.txt", b"a" * 200_000, "text/plain")},
    )

    assert response.status_code == 413
    assert not ArticleAttachment.objects.exists()


def test_history_diff_and_restore(draft: ArticleTranslation, writer: User, reviewer: User) -> None:
    for body in ("電源を入れます。", "主電源を入れます。"):
        authoring.draft_save(draft, text=authoring.DraftText("Printer setup", body), author=writer)
        authoring.review_approve(authoring.review_request(draft, by=writer), by=reviewer)
    client = _signed_in(writer)
    history = reverse("kb_agent:versions", args=[draft.pk])

    page = client.get(history, {"old": "1", "new": "2"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert '<ins><span class="mdg-visually-hidden">[追加] </span>主</ins>' in page
    assert "Reviewer" in page
    first = ArticleVersion.objects.get(number=1)
    response = client.post(reverse("kb_agent:restore", args=[first.pk]))
    assert response["Location"] == reverse("kb_agent:edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.draft_body == "電源を入れます。"
    assert draft.body == "主電源を入れます。"


def test_the_list_filters_and_flags_outdated_translations(
    kb: KnowledgeBase, draft: ArticleTranslation, writer: User, reviewer: User
) -> None:
    authoring.review_approve(authoring.review_request(draft, by=writer), by=reviewer)
    japanese = authoring.translation_start(draft.article, language="ja", author=writer)
    authoring.draft_save(japanese, text=authoring.DraftText("プリンター", "オン"), author=writer)
    authoring.review_approve(authoring.review_request(japanese, by=writer), by=reviewer)
    authoring.draft_save(draft, text=authoring.DraftText("Printer setup", "v2"), author=writer)
    authoring.review_approve(authoring.review_request(draft, by=writer), by=reviewer)
    client = _signed_in(writer)

    listed = client.get(reverse("kb_agent:index")).content.decode()
    archived = client.get(reverse("kb_agent:index"), {"status": "archived"}).content.decode()
    edit_ja = client.get(reverse("kb_agent:edit", args=[japanese.pk])).content.decode()

    assert "Printer setup" in listed and "out of date" in listed
    assert "Printer setup" not in archived
    assert "out of date" in edit_ja
    up_to_date = authoring.article_start(
        knowledge_base=kb, language="en", text=authoring.DraftText("Toner", "Shake"), author=writer
    )
    authoring.review_approve(authoring.review_request(up_to_date, by=writer), by=reviewer)
    only_outdated = client.get(reverse("kb_agent:index"), {"outdated": "on"}).content.decode()
    assert "Printer setup" in only_outdated and "Toner" not in only_outdated
    # Brought up to date, the translation leaves the list.
    authoring.draft_save(japanese, text=authoring.DraftText("プリンター", "v2"), author=writer)
    authoring.review_approve(authoring.review_request(japanese, by=writer), by=reviewer)
    emptied = client.get(reverse("kb_agent:index"), {"outdated": "on"}).content.decode()
    assert "Printer setup" not in emptied


def test_overdue_list_and_mark_as_reviewed(draft: ArticleTranslation, writer: User) -> None:
    Article.objects.update(review_by="2020-01-01")
    client = _signed_in(writer)

    overdue = client.get(reverse("kb_agent:index"), {"overdue": "on"}).content.decode()
    client.post(reverse("kb_agent:lifecycle", args=[draft.article_id]), {"action": "reviewed"})
    after = client.get(reverse("kb_agent:index"), {"overdue": "on"}).content.decode()

    assert "Printer setup" in overdue
    assert "Printer setup" not in after


def test_settings_need_an_organisation_for_organisation_visibility(
    draft: ArticleTranslation, writer: User
) -> None:
    response = _signed_in(writer).post(
        reverse("kb_agent:article", args=[draft.article_id]), {"visibility": "organisations"}
    )

    assert response.status_code == 200
    assert "Choose at least one organisation." in response.content.decode()
    assert Article.objects.get().visibility == kb_default_visibility()


def test_settings_create_new_tags_and_move_the_article(
    kb: KnowledgeBase, draft: ArticleTranslation, writer: User
) -> None:
    existing = Tag.objects.create(knowledge_base=kb, slug="printer", name="Printer")
    client = _signed_in(writer)
    url = reverse("kb_agent:article", args=[draft.article_id])
    form = {"visibility": "public", "tags": [existing.pk], "position": "7"}

    response = client.post(url, {**form, "new_tags": "トナー、 Paper jam, printer,"})

    assert response.status_code == 302
    article = Article.objects.get()
    assert sorted(tag.name for tag in article.tags.all()) == ["Paper jam", "Printer", "トナー"]
    assert Tag.objects.filter(knowledge_base=kb).count() == 3  # "printer" found, not made twice
    assert article.position == 7
    refused = client.post(url, {**form, "position": "-1", "new_tags": "x" * 81})
    body = refused.content.decode()
    assert "at most 80 characters" in body and "greater than or equal to 0" in body
    assert Article.objects.get().position == 7


def kb_default_visibility() -> str:
    return KnowledgeBase.objects.get().default_visibility


def test_follow_ups_for_the_owner_with_dismiss(
    draft: ArticleTranslation, writer: User, reviewer: User, alice: User
) -> None:
    from madoguchi.kb import services

    authoring.review_approve(authoring.review_request(draft, by=writer), by=reviewer)
    vote = services.Vote(
        article=draft.article, language="en", helpful=False, comment="Step 3 is wrong", user=alice
    )
    feedback = services.feedback_give(vote)

    mine = _signed_in(writer).get(reverse("kb_agent:follow_ups")).content.decode()
    others = _signed_in(reviewer).get(reverse("kb_agent:follow_ups")).content.decode()
    everyone = (
        _signed_in(reviewer).get(reverse("kb_agent:follow_ups"), {"all": "1"}).content.decode()
    )
    assert "Step 3 is wrong" in mine
    assert "Step 3 is wrong" not in others
    assert "Step 3 is wrong" in everyone

    _signed_in(writer).post(
        reverse("kb_agent:follow_up_done", args=[feedback.pk]), {"action": "dismiss"}
    )
    feedback.refresh_from_db()
    assert feedback.follow_up == "dismissed"


def test_the_next_page_keeps_the_filters(
    kb: KnowledgeBase, writer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from madoguchi.kb import editor_views

    monkeypatch.setattr(editor_views, "PAGE_SIZE", 1)
    for title in ("First", "Second"):
        text = authoring.DraftText(title=title, body="")
        authoring.article_start(knowledge_base=kb, language="en", text=text, author=writer)

    page = _signed_in(writer).get(reverse("kb_agent:index"), {"status": "draft"})

    assert 'href="?status=draft&amp;page=2"' in page.content.decode()


def test_an_uploaded_photo_loses_its_metadata(draft: ArticleTranslation, writer: User) -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (8, 6), "blue").save(buffer, format="JPEG", exif=exif)
    assert b"SecretCam" in buffer.getvalue()

    _signed_in(writer).post(
        reverse("kb_agent:upload", args=[draft.article_id]),
        {"file": SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")},
    )

    attachment = ArticleAttachment.objects.get()
    stored = attachment.file.read()
    assert b"SecretCam" not in stored
    assert Image.open(io.BytesIO(stored)).size == (8, 6)
    assert attachment.size == len(stored)


def test_a_damaged_picture_is_refused(draft: ArticleTranslation, writer: User) -> None:
    response = _signed_in(writer).post(
        reverse("kb_agent:upload", args=[draft.article_id]),
        {"file": SimpleUploadedFile("broken.png", _png()[:40], content_type="image/png")},
    )

    assert response.status_code == 400
    assert not ArticleAttachment.objects.exists()
