"""Reading the help centre in a real browser: from the portal's header to an article, a "not
helpful" vote with a comment, and the agent who sees it to follow up; axe on every page."""

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb import services as kb_services
from madoguchi.kb.models import ArticleFeedback, Visibility
from tests.e2e.conftest import BrowserLog, axe_check, sign_in
from tests.e2e.test_accounts import LOCALES
from tests.factories import make_article, make_kb, make_section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
TEXT = {
    "en": {
        "help": "Help centre",
        "section": "Basics",
        "article": "Reset your password",
        "comment": "What could be better? (optional)",
        "no": "No, it did not",
        "thanks": "Thank you for your feedback.",
        "follow_ups": "Article feedback to follow up",
    },
    "ja": {
        "help": "ヘルプセンター",
        "section": "基本",
        "article": "パスワードの再設定",
        "comment": "改善してほしい点(任意)",
        "no": "いいえ、役に立ちませんでした",
        "thanks": "ご意見ありがとうございます。",
        "follow_ups": "対応が必要な記事へのご意見",
    },
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_customer_reads_an_article_and_says_it_did_not_help(
    open_page: OpenPage, live_server: LiveServer, alice: User, dave: User, language: str
) -> None:
    text = TEXT[language]
    kb = make_kb()
    section = make_section(kb)
    make_article(
        kb,
        "Reset your password",
        body="1. Open **Settings**.\n2. Choose *Reset*.",
        section=section,
        translations={
            "ja": ("パスワードの再設定", "1. **設定**を開きます。\n2. *再設定*を選びます。")
        },
    )
    page = open_page(locale=LOCALES[language], viewport={"width": 390, "height": 844})
    sign_in(page, live_server, alice)

    page.get_by_role("navigation", name="Main" if language == "en" else "メイン").get_by_role(
        "link", name=text["help"]
    ).click()
    expect(page).to_have_url(
        f"{live_server.url.replace('127.0.0.1', 'localhost')}/{language}/kb/help/"
    )
    axe_check(page)
    page.get_by_role("link", name=text["section"]).click()
    axe_check(page)
    page.get_by_role("link", name=text["article"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["article"])
    axe_check(page)

    page.get_by_label(text["comment"]).fill("Step 2 does not say where the button is.")
    page.get_by_role("button", name=text["no"]).click()

    expect(page.get_by_text(text["thanks"])).to_be_visible()
    axe_check(page)
    feedback = ArticleFeedback.objects.get()
    assert (feedback.helpful, feedback.user, feedback.language) == (False, alice, language)
    assert feedback.follow_up == ArticleFeedback.FollowUp.OPEN

    agent = open_page(locale=LOCALES[language])
    sign_in(agent, live_server, dave)
    agent.goto("/agent/kb/follow-ups/")
    expect(agent.get_by_role("heading", level=1)).to_have_text(text["follow_ups"])
    expect(agent.get_by_text("Step 2 does not say where the button is.")).to_be_visible()
    axe_check(agent)


def test_a_restricted_article_leaks_nowhere_to_another_organisations_customer(
    *,
    open_page: OpenPage,
    live_server: LiveServer,
    browser_log: BrowserLog,
    alice: User,
    carol: User,
    org_a: Organisation,
) -> None:
    """Everywhere it could show, followed in the browser the way a curious customer would."""
    browser_log.expect_console_error("404")
    kb = make_kb()
    make_article(kb, "Public guide", section=make_section(kb))
    secret = make_article(
        kb,
        "Acme price list",
        section=make_section(kb, "partners", category="partners"),
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_a],
        tags=["prices"],
    )
    file = kb_services.attachment_add(
        secret, SimpleUploadedFile("prices.pdf", b"%PDF-1.4 prices"), draft=False
    )
    places = [
        "/en/kb/help/articles/acme-price-list/",
        "/en/kb/help/sections/partners/",
        "/en/kb/help/tags/prices/",
        f"/en/kb/files/{file.pk}/",
        f"/api/v1/kb/articles/{secret.pk}",
    ]
    lists = ["/en/kb/help/", "/en/kb/help/feed.atom", "/en/kb/sitemap-articles.xml?page=1"]

    stranger = open_page()
    sign_in(stranger, live_server, carol)
    for place in places:
        assert stranger.request.get(live_server.url + place).status == 404, place
    stranger.goto(live_server.url + places[0])
    expect(stranger.locator("h1")).not_to_contain_text("Acme price list")
    for listing in lists:
        assert "price" not in stranger.request.get(live_server.url + listing).text(), listing
    stranger.goto(live_server.url + "/en/kb/help/")
    expect(stranger.locator("main")).to_contain_text("Public guide")
    expect(stranger.locator("main")).not_to_contain_text("Acme price list")

    member = open_page()
    sign_in(member, live_server, alice)
    for place in places:
        assert member.request.get(live_server.url + place).status == 200, place
    member.goto(live_server.url + "/en/kb/help/sections/partners/")
    expect(member.locator("main")).to_contain_text("Acme price list")
