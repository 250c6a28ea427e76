"""Search in a real browser: predictive search with a Japanese IME, the combobox by keyboard,
deflection on the request form, the embeddable widget on another origin."""

import functools
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb.models import Article, KnowledgeBase, Visibility
from madoguchi.search.models import SearchLog
from tests.e2e.conftest import BrowserLog, axe_check, sign_in
from tests.factories import make_article, make_request_type
from tests.support.processes import free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("keyword_search_only"),
]

OpenPage = Callable[..., Page]
# Longer than the script's debounce several times over: a script that ignored the composition
# would have sent its request by then. This waits for something NOT to happen; it times nothing.
QUIET_MS = 1200
CANARY = "zanzibarcanary"


@pytest.fixture
def articles(kb: KnowledgeBase, org_b: Organisation) -> list[Article]:
    made = [
        make_article(
            kb,
            "Send your device for repair",
            body="The repair centre fixes screens.",
            translations={"ja": ("端末の修理を依頼する", "修理センターが画面を直します。")},
        ),
        make_article(kb, "Repair status", body="Follow your repair online."),
        make_article(kb, "Ask for a refund", body="Refunds arrive within five days."),
    ]
    make_article(kb, f"Repair {CANARY}", visibility=Visibility.ORGANISATIONS, organisations=[org_b])
    return made


def _suggest_requests(page: Page) -> list[str]:
    seen: list[str] = []

    def record(request: Request) -> None:
        if "/search/suggest/" in request.url:
            seen.append(parse_qs(urlsplit(request.url).query).get("q", [""])[0])

    page.on("request", record)
    return seen


def test_no_suggestion_request_while_an_ime_composes(
    open_page: OpenPage, articles: list[Article]
) -> None:
    page = open_page(locale="ja-JP")
    page.goto("/ja/kb/")
    box = page.locator("#mdg-header-q")
    box.focus()
    asked = _suggest_requests(page)
    cdp = page.context.new_cdp_session(page)

    for reading in ("し", "しゅ", "しゅう", "しゅうり"):
        cdp.send(
            "Input.imeSetComposition",
            {"text": reading, "selectionStart": len(reading), "selectionEnd": len(reading)},
        )
    expect(box).to_have_value("しゅうり")
    page.wait_for_timeout(QUIET_MS)
    assert asked == []  # composing: nothing asked, not even the finished reading

    with page.expect_request(re.compile(r"/search/suggest/")):
        cdp.send("Input.insertText", {"text": "修理"})  # the conversion is confirmed
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option", name="端末の修理を依頼する")).to_be_visible()
    assert asked == ["修理"]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_combobox_works_by_keyboard(
    open_page: OpenPage, articles: list[Article], language: str
) -> None:
    page = open_page(locale={"en": "en-US", "ja": "ja-JP"}[language])
    page.goto(f"/{language}/kb/")
    box = page.get_by_role("search").get_by_role("combobox")
    box.focus()
    page.keyboard.type("repair")
    listbox = page.get_by_role("listbox")
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox).not_to_contain_text(CANARY)
    axe_check(page)

    page.keyboard.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)

    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    page.keyboard.press("ArrowDown")  # opens the list again
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    chosen = options.nth(0).inner_text()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen)


def test_enter_without_a_choice_opens_the_search_page(
    open_page: OpenPage, articles: list[Article]
) -> None:
    page = open_page()
    page.goto("/en/kb/")
    page.get_by_role("search").get_by_role("combobox").fill("refund")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/search/\?q=refund"))
    expect(page.locator("mark").first).to_have_text(re.compile("refund", re.IGNORECASE))
    axe_check(page)


def test_deflection_on_the_request_form(
    open_page: OpenPage, live_server: LiveServer, articles: list[Article], alice: User
) -> None:
    request_type = make_request_type("Billing question", "請求について")
    page = open_page()
    sign_in(page, live_server, alice)
    page.goto(f"/requests/new/{request_type.pk}/")
    page.get_by_label("Subject").fill("refund still missing")
    suggestions = page.get_by_role("complementary")
    link = suggestions.get_by_role("link", name="Ask for a refund")
    expect(link).to_be_visible()
    axe_check(page)

    with page.context.expect_page() as opened:
        link.click()
    article_page = opened.value
    expect(article_page.get_by_role("heading", level=1)).to_have_text("Ask for a refund")
    entry = SearchLog.objects.get(surface=SearchLog.Surface.REQUEST_FORM)
    assert entry.clicked_key == f"{articles[2].pk}.en"
    assert not entry.followed_by_request


@pytest.fixture
def other_origins(tmp_path: Path, live_server: LiveServer) -> Iterator[tuple[str, str]]:
    """Serve one small page embedding the widget from two other origins (two ports)."""
    endpoint = f"http://localhost:{live_server.thread.port}/ja/search/widget.json"
    script = f"http://localhost:{live_server.thread.port}/static/js/search-widget.js"
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='ja'><head><meta charset='utf-8'><title>Shop</title></head>"
        f"<body><main><h1>Shop</h1><div data-madoguchi-search></div></main>"
        f"<script src='{script}' data-endpoint='{endpoint}' defer></script></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler) for _ in "ab"]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tuple(f"http://127.0.0.1:{server.server_address[1]}" for server in servers)
    for server in servers:
        server.shutdown()
        server.server_close()


def test_widget_on_an_allowed_and_a_refused_origin(
    open_page: OpenPage,
    browser_log: BrowserLog,
    kb: KnowledgeBase,
    articles: list[Article],
    other_origins: tuple[str, str],
) -> None:
    allowed, refused = other_origins
    kb.brand.widget_origins = allowed
    kb.brand.save()

    page = open_page(locale="ja-JP")
    page.goto(f"{allowed}/index.html")
    page.get_by_label("ヘルプセンターを検索").fill("修理")
    page.get_by_role("button", name="検索").click()
    link = page.get_by_role("link", name="端末の修理を依頼する")
    expect(link).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(CANARY)
    axe_check(page)
    link.click()  # through the click counter: the shop's visitor has no session with us
    page.wait_for_url("**/ja/kb/help/articles/**")
    assert unquote(page.url).endswith("/ja/kb/help/articles/端末の修理を依頼する/")
    entry = SearchLog.objects.get(surface=SearchLog.Surface.WIDGET)
    assert entry.clicked_key.endswith(".ja")

    browser_log.expect_console_error("blocked by CORS policy")
    browser_log.expect_console_error("Failed to load resource")
    other = open_page(locale="ja-JP")
    other.goto(f"{refused}/index.html")
    other.get_by_label("ヘルプセンターを検索").fill("修理")
    other.get_by_role("button", name="検索").click()
    expect(other.get_by_role("status")).to_have_text("現在検索を利用できません。")
    expect(other.get_by_role("link")).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_gap_report_after_zero_result_searches(
    open_page: OpenPage,
    live_server: LiveServer,
    articles: list[Article],
    dave: User,
    language: str,
) -> None:
    visitor = open_page(locale={"en": "en-US", "ja": "ja-JP"}[language])
    for query in ("teleport my parcel", "Teleport my parcels"):
        visitor.goto(f"/{language}/search/?q={query}")
        expect(visitor.get_by_role("status")).to_contain_text(query)
    agent = open_page(locale={"en": "en-US", "ja": "ja-JP"}[language])
    sign_in(agent, live_server, dave)
    agent.goto("/agent/kb/gaps/")
    table = agent.locator("#mdg-gaps-zero").locator("..")
    row = table.get_by_role("row").filter(has_text="teleport my parcel")
    expect(row).to_have_count(1)  # both wordings in one row
    expect(row).to_contain_text("teleport my parcels")
    expect(row.get_by_role("link")).to_have_attribute("href", re.compile(r"title=teleport"))
    axe_check(agent)
