"""The search page, the click recorder and the header's suggestions, in English and Japanese."""

from urllib.parse import unquote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb import search_log, search_selectors
from madoguchi.kb.models import Article, KnowledgeBase, Visibility
from madoguchi.kb.search_selectors import SUGGESTIONS
from madoguchi.search.models import SearchLog
from tests.factories import make_article, make_kb, make_section

# Transactions commit, so articles reach the index as in production (on commit).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("keyword_search_only"),
]

CANARY = "zanzibarcanary"
HOSTILE = ['" AND OR NEAR( * -', "x" * 10_240, "\x00\x01\x1f パスワード", "' OR 1=1--", " ", "%_\\"]


@pytest.fixture
def repair(kb: KnowledgeBase) -> Article:
    return make_article(
        kb,
        "Send your device for repair",
        body="Our repair centre fixes broken screens within a week.",
        section=make_section(kb, "devices", category="hardware"),
        translations={
            "ja": ("端末の修理を依頼する", "修理センターが画面の故障を一週間で直します。")
        },
    )


def test_results_highlight_the_words_searched(client: Client, repair: Article) -> None:
    response = client.get("/en/search/", {"q": "repair"})
    assert response.status_code == 200
    assert b"<mark>repair</mark>" in response.content
    assert "1 result for" in response.text


def test_japanese_page_finds_the_japanese_article(client: Client, repair: Article) -> None:
    response = client.get("/ja/search/", {"q": "修理"})
    assert response.status_code == 200
    assert "<mark>修理</mark>" in response.text
    assert "端末の" in response.text
    assert 'lang="ja"' in response.text


def test_a_japanese_sentence_marks_its_words_and_the_snippet_starts_near_them(
    client: Client, kb: KnowledgeBase
) -> None:
    opening = "このページではアカウントの基本を説明します。" * 12
    make_article(
        kb,
        "パスワード再設定",
        language="ja",
        body=opening + "パスワードを忘れた場合は再設定ページを開きます。",
    )

    response = client.get("/ja/search/", {"q": "パスワードを忘れました"})

    assert "<mark>パスワード</mark>再設定" in response.text
    # 270 characters into the text: found only by a snippet that starts near the words.
    assert "<mark>パスワード</mark>を<mark>忘れ</mark>た場合" in response.text


def test_other_forms_of_an_english_word_are_marked(client: Client, kb: KnowledgeBase) -> None:
    make_article(kb, "Configuring printers", body="A printer is configured once.")

    response = client.get("/en/search/", {"q": "configured printer"})

    assert "<mark>Configuring</mark> <mark>printers</mark>" in response.text
    assert "A <mark>printer</mark> is <mark>configured</mark> once." in response.text


def test_user_text_is_escaped_in_results(client: Client, kb: KnowledgeBase) -> None:
    make_article(kb, "Scripts <script>alert(1)</script> guide", body="<img src=x onerror=alert(1)>")
    response = client.get("/en/search/", {"q": "<script>alert(1)</script> scripts"})
    assert b"<script>alert" not in response.content
    assert b"&lt;" in response.content


def test_language_filter_keeps_one_language(client: Client, repair: Article) -> None:
    response = client.get("/en/search/", {"q": "repair 修理", "language": "ja"})
    assert "端末の" in response.text
    assert "Send your device" not in response.text


def test_knowledge_base_and_category_filters(client: Client, repair: Article) -> None:
    other = make_kb("billing", name_en="Billing", name_ja="請求")
    make_article(other, "Repair invoices", body="Invoices for a repair.")
    only_help = client.get("/en/search/", {"q": "repair", "kb": "help"})
    assert "Send your device" in only_help.text
    assert "Repair invoices" not in only_help.text
    wrong_category = client.get("/en/search/", {"q": "repair", "category": "nothing"})
    assert "No articles match" in wrong_category.text


def test_categories_to_filter_by_are_offered_as_the_reader_may_see_them(
    client: Client, kb: KnowledgeBase, repair: Article, org_b: Organisation
) -> None:
    make_article(
        kb,
        "Globex repair contract",
        section=make_section(kb, "contracts", category="globex-only"),
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )

    page = client.get("/en/search/", {"q": "repair"}).text
    narrowed = client.get("/en/search/", {"q": "repair", "category": "hardware"}).text

    assert '<option value="hardware">Hardware</option>' in page
    assert "globex-only" not in page
    assert '<option value="hardware" selected>Hardware</option>' in narrowed
    assert "Send your device" in narrowed


def test_did_you_mean_keeps_the_filters(client: Client, repair: Article) -> None:
    page = client.get("/en/search/", {"q": "repiar", "kb": "help", "language": "en"}).text

    assert 'href="?q=repair&amp;kb=help&amp;language=en"' in page


def test_results_are_paginated(client: Client, kb: KnowledgeBase) -> None:
    for number in range(12):
        make_article(kb, f"Router guide {number}", body="router setup")
    first = client.get("/en/search/", {"q": "router"})
    second = client.get("/en/search/", {"q": "router", "page": 2})
    assert "Page 1 of 2" in first.text
    assert first.text.count("<li lang=") == 10
    assert second.text.count("<li lang=") == 2
    assert SearchLog.objects.count() == 1  # turning pages is not a new search


def test_empty_state_and_did_you_mean(client: Client, repair: Article) -> None:
    response = client.get("/en/search/", {"q": "repiar"})
    assert "Did you mean" in response.text
    assert 'href="?q=repair"' in response.text
    empty = client.get("/en/search/", {"q": "xylophone"})
    assert "No articles match" in empty.text


def test_semantic_unavailable_shows_the_keyword_notice(
    client: Client, settings: Settings, repair: Article
) -> None:
    """F12: the model is off, search still answers with keyword matches and says so."""
    settings.SEARCH_SEMANTIC = False
    response = client.get("/en/search/", {"q": "repair"})
    assert "keyword matches only" in response.text
    assert "Send your device" in response.text


def test_every_search_is_logged_and_a_click_is_recorded(client: Client, repair: Article) -> None:
    client.get("/en/search/", {"q": "Repair  "})
    entry = SearchLog.objects.get()
    assert (entry.normalized_query, entry.result_count) == ("repair", 1)
    response = client.get("/en/search/open/", {"log": entry.pk, "key": f"{repair.pk}.en"})
    assert response.status_code == 302
    assert response["Location"] == "/en/kb/help/articles/send-your-device-for-repair/"
    entry.refresh_from_db()
    assert entry.clicked_key == f"{repair.pk}.en"


def test_a_click_on_someone_elses_log_entry_is_not_recorded(
    client: Client, repair: Article
) -> None:
    Client().get("/en/search/", {"q": "repair"})
    entry = SearchLog.objects.get()
    client.get("/en/search/open/", {"log": entry.pk, "key": f"{repair.pk}.en"})
    entry.refresh_from_db()
    assert entry.clicked_key == ""


def test_click_never_redirects_outside_or_to_hidden_articles(
    client: Client, kb: KnowledgeBase, org_b: Organisation
) -> None:
    hidden = make_article(kb, "Hidden", visibility=Visibility.ORGANISATIONS, organisations=[org_b])
    for key in (f"{hidden.pk}.en", "//evil.example", "1.en/../../x", ""):
        response = client.get("/en/search/open/", {"key": key})
        assert response["Location"] == "/en/search/"


def test_a_flood_of_searches_is_answered_but_only_partly_logged(
    client: Client, repair: Article
) -> None:
    for number in range(61):
        response = client.get("/en/search/", {"q": f"repair {number}"})
        assert response.status_code == 200

    assert SearchLog.objects.count() == 60
    assert client.get("/api/v1/search", {"q": "repair"}).status_code == 200
    assert SearchLog.objects.count() == 60


@pytest.mark.parametrize(
    ("log", "key"),
    [("²", "1.en"), ("1", "².en"), ("1", "99999999999999999999.en"), ("1", "0" * 80 + "1.en")],
)
def test_a_crafted_click_is_refused_without_an_error(
    client: Client, repair: Article, log: str, key: str
) -> None:
    response = client.get("/en/search/open/", {"log": log, "key": key})

    assert response.status_code == 302
    assert response["Location"] == "/en/search/"


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(client: Client, repair: Article, query: str) -> None:
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    for url in ("/en/search/suggest/", "/en/search/deflect/"):
        assert client.get(url, {"q": query}).status_code == 200


def test_suggestions_list_titles_by_prefix_and_by_word(client: Client, repair: Article) -> None:
    by_prefix = client.get("/en/search/suggest/", {"q": "send your dev"}).json()
    by_word = client.get("/ja/search/suggest/", {"q": "修理"}).json()
    assert [r["title"] for r in by_prefix["results"]] == ["Send your device for repair"]
    assert "端末の修理を依頼する" in [r["title"] for r in by_word["results"]]
    assert unquote(by_word["results"][0]["url"]).startswith("/ja/kb/help/articles/")
    assert not SearchLog.objects.exists()  # keystrokes are not searches


def test_suggestions_full_of_word_matches_skip_the_title_scan(
    client: Client, kb: KnowledgeBase
) -> None:
    for number in range(SUGGESTIONS + 1):
        make_article(kb, f"Printer guide {number}", body="Set up the printer.")

    with CaptureQueriesContext(connection) as captured:
        results = client.get("/en/search/suggest/", {"q": "printer"}).json()["results"]

    assert len(results) == SUGGESTIONS
    # The title-prefix match ("printer"* in FTS5, 'printer':* in PostgreSQL) was not needed.
    assert not [q for q in captured.captured_queries if '"*' in q["sql"] or ":*" in q["sql"]]


def test_suggestions_find_titles_by_the_word_being_typed(client: Client, repair: Article) -> None:
    english = client.get("/en/search/suggest/", {"q": "your devi"}).json()["results"]
    # "SEND YOUR DEV" in full-width letters and spaces, as a Japanese input method types it
    full_width = "\uff33\uff25\uff2e\uff24\u3000\uff39\uff2f\uff35\uff32\u3000\uff24\uff25\uff36"
    japanese = client.get("/ja/search/suggest/", {"q": full_width}).json()["results"]
    kanji = client.get("/ja/search/suggest/", {"q": "端末"}).json()["results"]

    assert [result["title"] for result in english] == ["Send your device for repair"]
    assert [result["title"] for result in japanese] == ["Send your device for repair"]
    assert "端末の修理を依頼する" in [result["title"] for result in kanji]


def test_suggestions_for_a_word_begun_in_no_title_are_empty(
    client: Client, repair: Article
) -> None:
    for query in ("xyzzy", "devx", "修x", '"*', "*", ":*", "'", "s"):
        assert client.get("/en/search/suggest/", {"q": query}).json()["results"] == []


def test_canary_of_another_organisation_never_shows(
    client: Client, kb: KnowledgeBase, alice: User, carol: User, org_b: Organisation
) -> None:
    """R5 on the page and in suggestions: carol (org B) sees it, alice and visitors never."""
    make_article(
        kb,
        "Globex pricing plan",
        body=f"Secret {CANARY} terms",
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )
    for viewer in (None, alice):
        if viewer:
            client.force_login(viewer)
        for url in ("/en/search/", "/en/search/suggest/"):
            for query in ("globex pricing", "Globex", "secret terms", "globex pri", "glob"):
                response = client.get(url, {"q": query})
                assert CANARY not in response.text
                assert "Globex pricing" not in response.text
    client.force_login(carol)
    assert CANARY in client.get("/en/search/", {"q": "secret terms"}).text
    assert "Globex pricing" in client.get("/en/search/suggest/", {"q": "glob"}).text


def test_header_search_box_goes_to_the_search_page(client: Client) -> None:
    home = client.get("/")
    assert 'action="/en/search/"' in home.text
    assert 'role="combobox"' in home.text
    assert 'data-mdg-predictive-search="/en/search/suggest/"' in home.text


def test_widget_answers_allowed_origins_with_public_articles(
    client: Client, kb: KnowledgeBase, repair: Article, org_b: Organisation, carol: User
) -> None:
    brand = kb.brand
    brand.widget_origins = "https://www.example.com\nhttp://127.0.0.1:8123/"
    brand.save()
    make_article(kb, f"Repair {CANARY}", visibility=Visibility.ORGANISATIONS, organisations=[org_b])
    client.force_login(carol)  # the widget ignores the session: public articles only
    response = client.get(
        "/ja/search/widget.json", {"q": "修理 repair"}, headers={"origin": "http://127.0.0.1:8123"}
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://127.0.0.1:8123"
    assert "Origin" in response["Vary"]
    titles = {result["title"] for result in response.json()["results"]}
    assert "端末の修理を依頼する" in titles
    assert CANARY not in response.text
    entry = SearchLog.objects.get()
    assert (entry.surface, entry.scope) == (SearchLog.Surface.WIDGET, f"brand:{brand.pk}")


def test_widget_answers_in_the_language_of_its_endpoint_or_any_when_none_is_there(
    client: Client, kb: KnowledgeBase, repair: Article
) -> None:
    kb.brand.widget_origins = "https://www.example.com"
    kb.brand.save()
    make_article(kb, "Warranty card", body="Keep the warranty card for repair claims.")
    origin = {"origin": "https://www.example.com"}

    def titles(prefix: str, query: str) -> set[str]:
        response = client.get(f"/{prefix}/search/widget.json", {"q": query}, headers=origin)
        return {result["title"] for result in response.json()["results"]}

    assert titles("ja", "修理 repair") == {"端末の修理を依頼する"}
    assert titles("en", "修理 repair") == {"Send your device for repair", "Warranty card"}
    assert titles("ja", "warranty") == {"Warranty card"}


def test_a_widget_result_opened_is_credited_to_its_search_without_a_session(
    client: Client, kb: KnowledgeBase, repair: Article
) -> None:
    kb.brand.widget_origins = "https://www.example.com"
    kb.brand.save()
    response = client.get(
        "/en/search/widget.json", {"q": "repair"}, headers={"origin": "https://www.example.com"}
    )
    link = response.json()["results"][0]["url"]
    assert link.startswith(f"http://testserver/en/search/open/?key={repair.pk}.en&t=")

    visitor = Client()  # the widget's visitor arrives without our session
    opened = visitor.get(link.removeprefix("http://testserver"))

    entry = SearchLog.objects.get()
    assert opened.status_code == 302
    assert opened["Location"] == search_selectors.hit_url(AnonymousUser(), f"{repair.pk}.en")
    assert (entry.clicked_source, entry.clicked_key) == ("kb.article", f"{repair.pk}.en")


@pytest.mark.parametrize("stale", ["forged", "expired", "another article's"])
def test_a_widget_link_opens_its_article_but_a_bad_token_credits_nothing(
    client: Client,
    kb: KnowledgeBase,
    repair: Article,
    stale: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = SearchLog.objects.create(query="repair", normalized_query="repair", lang="en",
                                     mode="hybrid", result_count=1)  # fmt: skip
    key = f"{repair.pk}.en"
    token = {
        "forged": f"{entry.pk}:{key}",
        "expired": search_log.click_token(entry.pk, key),
        "another article's": search_log.click_token(entry.pk, f"{repair.pk + 1}.en"),
    }[stale]
    monkeypatch.setattr(search_log, "CLICK_SECONDS", -1 if stale == "expired" else 3600)

    response = client.get("/en/search/open/", {"key": key, "t": token})

    assert response["Location"] == search_selectors.hit_url(AnonymousUser(), key)
    entry.refresh_from_db()
    assert entry.clicked_key == ""


@pytest.mark.parametrize("origin", ["https://evil.example", "", "https://www.example.com.evil"])
def test_widget_refuses_other_origins(client: Client, kb: KnowledgeBase, origin: str) -> None:
    kb.brand.widget_origins = "https://www.example.com"
    kb.brand.save()
    headers = {"origin": origin} if origin else {}
    response = client.get("/en/search/widget.json", {"q": "repair"}, headers=headers)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert response.json()["detail"]


def test_did_you_mean_forgets_a_title_once_its_article_is_restricted(
    client: Client, kb: KnowledgeBase
) -> None:
    article = make_article(kb, "Zanzibar shipping", body="Boats leave on Mondays.")
    assert client.get("/en/search/", {"q": "zanzibr"}).context["found"].suggestion == "zanzibar"

    article.visibility = Visibility.INTERNAL
    article.save()

    assert client.get("/en/search/", {"q": "zanzibr"}).context["found"].suggestion == ""
