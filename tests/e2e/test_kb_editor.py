"""The knowledge-base editor in a real browser: a Japanese article with an image goes through
review by a second editor, a customer finds it not helpful, its owner sees the follow-up; then
two versions are compared and the first restored. axe checks every editor page."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from madoguchi.kb import authoring
from madoguchi.kb.models import ArticleFeedback, ArticleTranslation, ArticleVersion
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import make_editor, make_kb

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
TITLE = "プリンターの初期設定"


@pytest.fixture
def editors(db: None) -> tuple[User, User]:
    """The article's writer and the second editor who reviews it."""
    return (
        make_editor("writer@example.com", name="書き手", language="ja"),
        make_editor("reviewer@example.com", name="確認者", language="ja"),
    )


@pytest.fixture
def screenshot(tmp_path: Path) -> Path:
    path = tmp_path / "画面.png"
    Image.new("RGB", (40, 30), "steelblue").save(path, format="PNG")
    return path


def _type_into_editor(page: Page, text: str) -> None:
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(text)


def _send_for_review(page: Page) -> None:
    page.get_by_role("button", name="保存してレビューに出す").click()
    expect(page.locator(".mdg-message-success, [role=status]").first).to_be_visible()


def _approve(page: Page, live_server: LiveServer, edit_url: str) -> None:
    page.goto(live_server.url + edit_url)
    axe_check(page)
    page.get_by_role("button", name="承認して公開").click()
    expect(page.get_by_text("記事を公開しました。")).to_be_visible()


def test_japanese_article_from_draft_to_reader_feedback_and_back(  # noqa: PLR0915  (one story)
    open_page: OpenPage,
    live_server: LiveServer,
    editors: tuple[User, User],
    alice: User,
    screenshot: Path,
) -> None:
    writer, reviewer = editors
    make_kb()
    author = open_page(locale="ja-JP")
    sign_in(author, live_server, writer)
    author.goto(live_server.url + reverse("kb_agent:new"))
    author.locator("#id_language").select_option("ja")
    author.locator("#id_title").fill(TITLE)
    _type_into_editor(author, "**電源**を入れてから、用紙を入れます。\n\n")
    axe_check(author)
    author.get_by_role("button", name="下書きを保存").click()

    # On the edit page: an image through the file button goes into the text and the preview.
    expect(author.get_by_role("heading", name="日本語の本文を編集")).to_be_visible()
    author.locator("#mdg-kb-upload").set_input_files(str(screenshot))
    expect(author.locator(".CodeMirror")).to_contain_text("![画面.png](/ja/kb/files/")
    author.get_by_role("button", name="プレビューを更新").click()
    preview = author.locator(".mdg-kb-preview")
    expect(preview.locator("strong")).to_have_text("電源")
    expect(preview.locator("img")).to_have_attribute("alt", "画面.png")
    axe_check(author)
    _send_for_review(author)
    expect(
        author.get_by_text("自分の変更は別の編集者がレビューする必要があります。")
    ).to_be_visible()
    edit_url = author.url.removeprefix(live_server.url)

    checker = open_page(locale="ja-JP")
    sign_in(checker, live_server, reviewer)
    _approve(checker, live_server, edit_url)
    translation = ArticleTranslation.objects.get()
    assert translation.current_version.reviewer == reviewer

    # A customer reads it, image included, and says it did not help.
    reader = open_page(locale="ja-JP")
    sign_in(reader, live_server, alice)
    reader.goto(f"{live_server.url}/ja/kb/help/articles/{TITLE}/")
    expect(reader.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    image = reader.locator(".mdg-prose img")
    expect(image).to_have_attribute("alt", "画面.png")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 40
    reader.locator("textarea[name=comment]").fill("手順 3 の画面が違います")
    reader.get_by_role("button", name="いいえ、役に立ちませんでした").click()
    expect(reader.get_by_text("ご意見ありがとうございます。")).to_be_visible()
    assert ArticleFeedback.objects.get().follow_up == ArticleFeedback.FollowUp.OPEN

    # The owner sees the follow-up in the notification centre and in the list.
    author.goto(live_server.url + reverse("kb_agent:follow_ups"))
    expect(author.get_by_text("手順 3 の画面が違います")).to_be_visible()
    axe_check(author)

    # A second version, then the difference and a restore of the first.
    author.goto(live_server.url + edit_url)
    _type_into_editor(author, "最後に**テスト印刷**をします。")
    _send_for_review(author)
    _approve(checker, live_server, edit_url)
    author.goto(live_server.url + reverse("kb_agent:versions", args=[translation.pk]))
    author.get_by_role("button", name="比較").click()
    expect(author.locator(".mdg-kb-diff ins").first).to_contain_text("テスト印刷")
    axe_check(author)
    author.get_by_role("button", name="バージョン 1 を下書きとして復元").click()
    expect(author.get_by_text("バージョン 1 を下書きにしました。")).to_be_visible()
    expect(author.locator(".CodeMirror")).not_to_contain_text("テスト印刷")
    translation.refresh_from_db()
    assert translation.draft_body == ArticleVersion.objects.get(number=1).body
    assert "テスト印刷" in translation.body


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_editor_fits_a_phone(
    open_page: OpenPage, live_server: LiveServer, editors: tuple[User, User], language: str
) -> None:
    writer, _reviewer = editors
    kb = make_kb()
    text = authoring.DraftText(title="Printer setup", body="Turn it **on**.")
    draft = authoring.article_start(knowledge_base=kb, language="en", text=text, author=writer)
    page = open_page(
        locale="ja-JP" if language == "ja" else "en-US", viewport={"width": 390, "height": 844}
    )
    sign_in(page, live_server, writer)

    for url in (
        reverse("kb_agent:index"),
        reverse("kb_agent:edit", args=[draft.pk]),
        reverse("kb_agent:article", args=[draft.article_id]),
    ):
        page.goto(live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        axe_check(page)
