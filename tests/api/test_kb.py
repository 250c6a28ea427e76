"""GET /api/v1/kb/...: the help centre for integrations, exactly as the caller may read it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from madoguchi.accounts.models import Organisation, User
from madoguchi.branding.models import Brand
from madoguchi.kb.models import Article, KnowledgeBase, Visibility
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/kb/articles"


@pytest.fixture
def password(kb: KnowledgeBase) -> Article:
    return make_article(
        kb,
        "Reset your password",
        body="Open **Settings**.",
        external_id="zd-42",
        section=make_section(kb),
        tags=["login"],
        translations={"ja": ("パスワードの再設定", "**設定**を開きます。")},
    )


def _titles(client: Client, **params: object) -> list[str]:
    response = client.get(ARTICLES, params)
    assert response.status_code == 200, response.content
    return [article["title"] for article in response.json()["results"]]


def test_an_article_reads_in_the_language_asked_for(client: Client, password: Article) -> None:
    english = client.get(f"{ARTICLES}/{password.pk}").json()
    japanese = client.get(f"{ARTICLES}/{password.pk}", {"lang": "ja"}).json()

    assert english["title"] == "Reset your password"
    assert english["body_html"] == "<p>Open <strong>Settings</strong>.</p>\n"
    assert english["url"] == "http://testserver/en/kb/help/articles/reset-your-password/"
    assert (english["external_id"], english["tags"], english["languages"]) == (
        "zd-42",
        ["login"],
        ["en", "ja"],
    )
    assert english["section_id"] == password.section_id
    assert english["category_id"] == password.section.category_id
    assert (japanese["title"], japanese["language"], japanese["is_fallback"]) == (
        "パスワードの再設定",
        "ja",
        False,
    )


def test_a_missing_translation_falls_back_and_says_so(client: Client, kb: KnowledgeBase) -> None:
    only_english = make_article(kb, "Printer setup")

    found = client.get(f"{ARTICLES}/{only_english.pk}", {"lang": "ja"}).json()

    assert (found["title"], found["language"], found["is_fallback"]) == (
        "Printer setup",
        "en",
        True,
    )


def test_the_list_filters_sorts_and_pages(
    client: Client, kb: KnowledgeBase, password: Article
) -> None:
    other = make_section(kb, "billing", category="money")
    make_article(kb, "Invoices", section=other, position=2)
    make_article(kb, "Refunds", section=other, position=1)

    assert _titles(client, section=other.pk) == ["Refunds", "Invoices"]
    assert _titles(client, category=password.section.category_id) == ["Reset your password"]
    assert _titles(client, tag="login", lang="ja") == ["パスワードの再設定"]
    assert _titles(client, kb="nothing") == []
    page = client.get(ARTICLES, {"page_size": 2, "page": 2}).json()
    assert (page["count"], page["page"], len(page["results"])) == (3, 2, 1)
    assert client.get(ARTICLES, {"page_size": 101}).status_code == 400
    assert client.get(ARTICLES, {"sort": "random"}).status_code == 422
    assert client.get(ARTICLES, {"lang": "fr"}).status_code == 422


def test_what_the_caller_may_not_read_is_absent_and_a_404(
    client: Client, kb: KnowledgeBase, alice: User, carol: User, org_a: Organisation
) -> None:
    restricted = make_article(
        kb, "Acme only", visibility=Visibility.ORGANISATIONS, organisations=[org_a]
    )
    internal = make_article(kb, "Staff notes", visibility=Visibility.INTERNAL)
    elsewhere = make_article(
        make_kb_of_brand(Brand.objects.create(name="Globex", host="globex.example")), "Other brand"
    )
    client.force_login(carol)

    assert _titles(client) == []
    for hidden in (restricted, internal, elsewhere):
        response = client.get(f"{ARTICLES}/{hidden.pk}")
        assert response.status_code == 404
        assert response.json()["status"] == 404
    client.force_login(alice)
    assert _titles(client) == ["Acme only"]
    assert client.get(f"{ARTICLES}/{restricted.pk}").status_code == 200


def make_kb_of_brand(brand: Brand) -> KnowledgeBase:
    return KnowledgeBase.objects.create(brand=brand, slug="help", name_en="Help")


def test_categories_list_only_sections_with_readable_articles(
    client: Client, kb: KnowledgeBase, password: Article, org_a: Organisation
) -> None:
    hidden = make_section(kb, "acme", category="private")
    make_article(
        kb, "Acme only", section=hidden, visibility=Visibility.ORGANISATIONS, organisations=[org_a]
    )

    categories = client.get("/api/v1/kb/categories", {"lang": "ja"}).json()["results"]

    assert [(c["knowledge_base"], c["slug"]) for c in categories] == [("help", "start")]
    assert [s["slug"] for s in categories[0]["sections"]] == ["basics"]


def test_the_list_costs_the_same_queries_for_more_articles(
    client: Client, kb: KnowledgeBase, password: Article
) -> None:
    client.get(ARTICLES)
    with CaptureQueriesContext(connection) as few:
        client.get(ARTICLES)
    for number in range(10):
        make_article(
            kb, f"Manual {number}", tags=["manual"], translations={"ja": ("説明書", "本文")}
        )
    with CaptureQueriesContext(connection) as more:
        client.get(ARTICLES)

    assert len(more) == len(few)
