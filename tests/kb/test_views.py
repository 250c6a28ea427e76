"""Help-centre pages as readers see them: languages, fallback, redirects, visibility, SEO, votes."""

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_script_prefix

from madoguchi.accounts.models import Organisation, User
from madoguchi.branding.services import default_brand
from madoguchi.kb import selectors, services
from madoguchi.kb.models import Article, ArticleFeedback, KnowledgeBase, Section, Visibility
from tests.factories import image_bytes, make_article, make_kb, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual(kb: KnowledgeBase, section: Section) -> Article:
    return make_article(
        kb,
        "Reset your password",
        body="Open **Settings** and choose <script>alert(1)</script> Reset.",
        section=section,
        translations={"ja": ("パスワードの再設定", "**設定**を開きます。")},
    )


def test_article_reads_in_english_and_japanese(client: Client, bilingual: Article) -> None:
    english = client.get("/en/kb/help/articles/reset-your-password/")
    japanese = client.get("/ja/kb/help/articles/パスワードの再設定/")

    assert english.status_code == 200
    assert "<strong>Settings</strong>" in english.content.decode()
    assert "<script>" not in english.content.decode()
    assert japanese.status_code == 200
    assert "<strong>設定</strong>" in japanese.content.decode()
    assert 'role="note"' not in japanese.content.decode()


def test_english_slug_under_japanese_prefix_redirects_to_the_japanese_slug(
    client: Client, bilingual: Article
) -> None:
    response = client.get("/ja/kb/help/articles/reset-your-password/")

    assert response.status_code == 301
    assert unquote(response["Location"]) == "/ja/kb/help/articles/パスワードの再設定/"


def test_missing_translation_falls_back_visibly(client: Client, kb: KnowledgeBase) -> None:
    make_article(kb, "Only in English", body="English text.")

    response = client.get("/ja/kb/help/articles/only-in-english/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "English text." in body
    assert 'role="note"' in body
    assert 'lang="en"' in body


def test_renamed_article_old_slug_is_a_301(client: Client, bilingual: Article) -> None:
    services.translation_save(
        bilingual, services.ArticleText(language="en", title="Change your password", body="New")
    )

    response = client.get("/en/kb/help/articles/reset-your-password/")

    assert response.status_code == 301
    assert response["Location"] == "/en/kb/help/articles/change-your-password/"
    assert client.get(response["Location"]).status_code == 200


def test_article_page_has_seo_tags(client: Client, bilingual: Article) -> None:
    services.translation_save(
        bilingual,
        services.ArticleText(
            language="en",
            title="Reset your password",
            body="Text",
            meta_description="How to reset it",
        ),
    )

    body = client.get("/en/kb/help/articles/reset-your-password/").content.decode()

    assert "<title>Reset your password · Help" in body
    assert '<meta name="description" content="How to reset it">' in body
    assert (
        '<link rel="canonical" href="http://testserver/en/kb/help/articles/reset-your-password/">'
        in body
    )
    assert 'hreflang="ja"' in body and 'hreflang="en"' in body
    assert (
        '<link rel="alternate" hreflang="x-default" '
        'href="http://testserver/en/kb/help/articles/reset-your-password/">' in body
    )
    assert 'property="og:title" content="Reset your password"' in body


def test_without_a_written_description_the_text_describes_the_page(
    client: Client, bilingual: Article
) -> None:
    body = client.get("/ja/kb/help/articles/パスワードの再設定/").content.decode()

    assert '<meta name="description" content="設定を開きます。">' in body
    assert '<meta property="og:description" content="設定を開きます。">' in body
    # The English original is the default for searchers of any other language.
    assert 'hreflang="x-default" href="http://testserver/en/kb/help/articles/' in body


def test_breadcrumbs_tags_and_related(client: Client, kb: KnowledgeBase, section: Section) -> None:
    main = make_article(kb, "Main article", section=section, tags=["login"])
    make_article(kb, "Sibling article", section=section)

    body = client.get("/en/kb/help/articles/main-article/").content.decode()

    assert 'aria-label="Breadcrumbs"' in body
    assert "/en/kb/help/sections/basics/" in body
    assert "/en/kb/help/tags/login/" in body
    assert "Sibling article" in body
    assert main.view_count == 0


def test_home_category_section_and_tag_pages(client: Client, bilingual: Article) -> None:
    bilingual.tags.set(services.tags_get_or_create(bilingual.knowledge_base, ["login"]))

    for url in (
        "/en/kb/",
        "/en/kb/help/",
        "/en/kb/help/categories/start/",
        "/en/kb/help/sections/basics/",
        "/en/kb/help/tags/login/",
        "/ja/kb/help/sections/basics/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    section_page = client.get("/ja/kb/help/sections/basics/").content.decode()
    assert "パスワードの再設定" in section_page


@pytest.mark.parametrize(
    "path", ["help/", "help/categories/start/", "help/sections/basics/", "help/tags/login/"]
)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_container_pages_name_their_address_in_each_language(
    client: Client, bilingual: Article, path: str, language: str
) -> None:
    bilingual.tags.set(services.tags_get_or_create(bilingual.knowledge_base, ["login"]))

    body = client.get(f"/{language}/kb/{path}?utm_source=mail").content.decode()

    base = "http://testserver"
    assert f'<link rel="canonical" href="{base}/{language}/kb/{path}">' in body
    assert f'<link rel="alternate" hreflang="en" href="{base}/en/kb/{path}">' in body
    assert f'<link rel="alternate" hreflang="ja" href="{base}/ja/kb/{path}">' in body
    assert f'<link rel="alternate" hreflang="x-default" href="{base}/en/kb/{path}">' in body


def test_under_a_path_prefix_each_language_keeps_the_prefix(
    client: Client, bilingual: Article
) -> None:
    """Served under SCRIPT_NAME (a proxy's /support/): the alternates are other pages."""
    # The WSGI handler sets the prefix from SCRIPT_NAME; the test client does not.
    with override_script_prefix("/support/"):
        body = client.get("/ja/kb/help/", SCRIPT_NAME="/support").content.decode()

    base = "http://testserver/support"
    assert f'<link rel="canonical" href="{base}/ja/kb/help/">' in body
    assert f'<link rel="alternate" hreflang="en" href="{base}/en/kb/help/">' in body
    assert f'<link rel="alternate" hreflang="ja" href="{base}/ja/kb/help/">' in body


def test_section_list_is_paginated(client: Client, kb: KnowledgeBase, section: Section) -> None:
    for number in range(23):
        make_article(kb, f"Article {number:02}", section=section, position=number)

    first = client.get("/en/kb/help/sections/basics/").content.decode()
    second = client.get("/en/kb/help/sections/basics/?page=2").content.decode()

    assert "Article 00" in first and "Article 20" not in first
    assert "Article 20" in second and "Article 00" not in second
    address = "http://testserver/ja/kb/help/sections/basics/?page=2"
    assert f'<link rel="alternate" hreflang="ja" href="{address}">' in second
    assert '<link rel="canonical" href="http://testserver/en/kb/help/sections/basics/">' in first


def test_renamed_section_redirects(client: Client, section: Section) -> None:
    make_article(section.knowledge_base, "Inside", section=section)
    services.section_rename(section, slug="first-steps")

    response = client.get("/en/kb/help/sections/basics/")

    assert response.status_code == 301
    assert response["Location"] == "/en/kb/help/sections/first-steps/"


def test_unprefixed_help_centre_url_redirects_to_a_language(
    client: Client, bilingual: Article
) -> None:
    response = client.get("/kb/help/")

    assert response.status_code == 302
    assert response["Location"] == "/en/kb/help/"


@pytest.fixture
def restricted(kb: KnowledgeBase, org_b: Organisation) -> Article:
    section = make_section(kb, "partners", category="partners")
    article = make_article(
        kb,
        "Globex price list",
        section=section,
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
        tags=["prices"],
    )
    services.attachment_add(
        article, SimpleUploadedFile("prices.pdf", b"%PDF-1.4 prices"), draft=False
    )
    return article


def _leak_urls(article: Article) -> list[str]:
    return [
        "/en/kb/help/articles/globex-price-list/",
        "/en/kb/help/sections/partners/",
        "/en/kb/help/categories/partners/",
        "/en/kb/help/tags/prices/",
        f"/en/kb/files/{article.attachments.get().pk}/",
    ]


def test_restricted_article_is_404_for_another_organisation_everywhere(
    client: Client, bilingual: Article, restricted: Article, alice: User
) -> None:
    client.force_login(alice)

    for url in _leak_urls(restricted):
        assert client.get(url).status_code == 404, url
    for url in ("/en/kb/help/", "/en/kb/help/feed.atom"):
        assert "Globex price list" not in client.get(url).content.decode(), url
    assert (
        "globex-price-list" not in client.get("/en/kb/sitemap-articles.xml?page=1").content.decode()
    )


def test_restricted_article_is_404_for_visitors(
    client: Client, bilingual: Article, restricted: Article
) -> None:
    for url in _leak_urls(restricted):
        assert client.get(url).status_code == 404, url


def test_restricted_article_opens_for_its_organisation(
    client: Client, bilingual: Article, restricted: Article, carol: User
) -> None:
    client.force_login(carol)

    for url in _leak_urls(restricted):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200, url
    download = client.get(_leak_urls(restricted)[-1])
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["Cache-Control"] == "private, no-store"
    # Members see it in lists, but the sitemap and the feed are for public articles only.
    assert "Globex price list" in client.get("/en/kb/help/").content.decode()
    assert (
        "globex-price-list" not in client.get("/en/kb/sitemap-articles.xml?page=1").content.decode()
    )


def test_knowledge_base_holding_only_restricted_articles_is_404_to_others(
    client: Client, org_b: Organisation, alice: User, carol: User
) -> None:
    partners = make_kb("partners", name_en="Partners", name_ja="パートナー")
    section = make_section(partners, "deals", category="offers")
    make_article(
        partners, "Partner deal", section=section, visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )  # fmt: skip
    urls = [
        "/en/kb/partners/",
        "/en/kb/partners/categories/offers/",
        "/en/kb/partners/sections/deals/",
        "/en/kb/partners/articles/partner-deal/",
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(carol)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_slug_of_a_hidden_article_in_this_language_leads_to_the_readable_one_in_another(
    client: Client, kb: KnowledgeBase, org_b: Organisation, alice: User, carol: User
) -> None:
    make_article(kb, "Manual", body="Public manual.")
    make_article(
        kb, "Manual", body="パートナー向け。", language="ja", visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )  # fmt: skip
    url = "/ja/kb/help/articles/manual/"

    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert "Public manual." in response.content.decode()
    client.force_login(carol)
    assert "パートナー向け。" in client.get(url).content.decode()


def test_internal_article_is_for_agents_only(
    client: Client, kb: KnowledgeBase, alice: User, dave: User
) -> None:
    make_article(kb, "Escalation runbook", visibility=Visibility.INTERNAL)
    url = "/en/kb/help/articles/escalation-runbook/"

    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(dave)
    assert client.get(url).status_code == 200


def test_sitemap_lists_public_articles_with_alternates(client: Client, bilingual: Article) -> None:
    index = client.get("/en/kb/sitemap.xml")
    response = client.get("/en/kb/sitemap-articles.xml?page=1")

    assert index["Content-Type"].startswith("application/xml")
    assert "<sitemapindex" in index.content.decode()
    assert (
        "<loc>http://testserver/en/kb/sitemap-articles.xml?page=1</loc>" in index.content.decode()
    )
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/xml")
    assert "<loc>http://testserver/en/kb/help/articles/reset-your-password/</loc>" in body
    assert 'hreflang="ja" href="http://testserver/ja/kb/help/articles/' in body


def test_sitemap_splits_into_pages_that_each_list_their_share(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SITEMAP_PAGE_SIZE", 2)
    for title in ("One", "Two", "Three", "Four", "Five"):
        make_article(kb, title)

    index = client.get("/en/kb/sitemap.xml").content.decode()
    pages = [
        client.get(f"/en/kb/sitemap-articles.xml?page={n}").content.decode() for n in (1, 2, 3)
    ]

    assert index.count("<sitemap>") == 3
    assert [page.count("<url>") for page in pages] == [2, 2, 1]
    for slug in ("one", "two", "three", "four", "five"):
        assert sum(f"/articles/{slug}/</loc>" in page for page in pages) == 1, slug
    assert client.get("/en/kb/sitemap-articles.xml?page=4").status_code == 404
    for page in ("0", "", "two", "1" * 20):
        assert client.get(f"/en/kb/sitemap-articles.xml?page={page}").status_code == 404, page


def test_sitemap_of_a_help_centre_with_nothing_public_is_one_empty_page(
    client: Client, restricted: Article
) -> None:
    index = client.get("/en/kb/sitemap.xml").content.decode()
    page = client.get("/en/kb/sitemap-articles.xml?page=1")

    assert index.count("<sitemap>") == 1
    assert page.status_code == 200
    assert "<url>" not in page.content.decode()


def test_robots_txt_names_each_language_sitemap_and_keeps_crawlers_off_private_pages(
    client: Client, bilingual: Article
) -> None:
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/en/kb/sitemap.xml" in lines
    assert "Sitemap: http://testserver/ja/kb/sitemap.xml" in lines
    assert {"Disallow: /agent/", "Disallow: /requests/", "Disallow: /en/search/"} <= set(lines)


def test_robots_txt_of_a_brand_that_requires_sign_in_keeps_crawlers_out(
    client: Client, bilingual: Article
) -> None:
    brand = default_brand()
    brand.content_requires_sign_in = True
    brand.save()

    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["User-agent: *", "Disallow: /"]


def test_feed_lists_public_articles(client: Client, bilingual: Article) -> None:
    response = client.get("/ja/kb/help/feed.atom")

    assert response["Content-Type"] == "application/atom+xml"
    assert "パスワードの再設定" in response.content.decode()


def test_visitor_votes_not_helpful_with_a_comment(client: Client, bilingual: Article) -> None:
    response = client.post(
        "/en/kb/help/articles/reset-your-password/feedback/",
        {"helpful": "no", "comment": "Step 3 is missing."},
    )

    assert response.status_code == 302
    feedback = ArticleFeedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (False, "Step 3 is missing.")
    assert feedback.follow_up == ArticleFeedback.FollowUp.OPEN
    bilingual.refresh_from_db()
    assert bilingual.not_helpful_count == 1


def test_second_vote_replaces_the_first(client: Client, bilingual: Article, alice: User) -> None:
    client.force_login(alice)
    url = "/en/kb/help/articles/reset-your-password/feedback/"

    client.post(url, {"helpful": "no"})
    client.post(url, {"helpful": "yes"})

    bilingual.refresh_from_db()
    assert (bilingual.helpful_count, bilingual.not_helpful_count) == (1, 0)
    assert ArticleFeedback.objects.count() == 1


def test_vote_without_a_choice_re_renders_with_the_comment(
    client: Client, bilingual: Article
) -> None:
    response = client.post(
        "/en/kb/help/articles/reset-your-password/feedback/", {"comment": "Kept text"}
    )

    assert response.status_code == 422
    assert "Kept text" in response.content.decode()
    assert not ArticleFeedback.objects.exists()


def test_votes_from_one_address_are_limited_and_the_comment_kept(bilingual: Article) -> None:
    url = "/en/kb/help/articles/reset-your-password/feedback/"
    for _ in range(10):  # each a new visitor session, as a script would make
        assert Client().post(url, {"helpful": "no", "comment": "spam"}).status_code == 302

    response = Client().post(url, {"helpful": "no", "comment": "Kept text"})

    assert response.status_code == 429
    assert "Too much feedback" in response.content.decode()
    assert "Kept text" in response.content.decode()
    assert ArticleFeedback.objects.count() == 10


def test_views_are_counted_in_batches(client: Client, bilingual: Article) -> None:
    client.get("/en/kb/help/articles/reset-your-password/")
    client.get("/en/kb/help/articles/reset-your-password/")

    services.article_views_flush()

    bilingual.refresh_from_db()
    assert bilingual.view_count == 2


def test_follow_ups_list_is_for_agents(
    client: Client, bilingual: Article, alice: User, dave: User
) -> None:
    client.post(
        "/en/kb/help/articles/reset-your-password/feedback/",
        {"helpful": "no", "comment": "Unclear"},
    )
    feedback = ArticleFeedback.objects.get()

    client.force_login(alice)
    assert client.get("/agent/kb/follow-ups/").status_code == 404
    client.force_login(dave)
    assert "Unclear" in client.get("/agent/kb/follow-ups/").content.decode()
    client.post(f"/agent/kb/follow-ups/{feedback.pk}/done/")
    feedback.refresh_from_db()
    assert feedback.follow_up == ArticleFeedback.FollowUp.DONE


def test_files_list_leaves_out_the_images_the_text_shows(client: Client, kb: KnowledgeBase) -> None:
    article = make_article(kb, "Printer setup")
    image = services.attachment_add(
        article, SimpleUploadedFile("panel.png", image_bytes("PNG")), draft=False
    )
    services.attachment_add(article, SimpleUploadedFile("manual.pdf", b"%PDF-1.4 m"), draft=False)
    english = article.translations.get()
    english.body = f"Press the button:\n\n![panel](/en/kb/files/{image.pk}/)"
    english.body_html = services.render_body(english.body)
    english.save()

    page = client.get("/en/kb/help/articles/printer-setup/").content.decode()

    assert f'<img src="/en/kb/files/{image.pk}/" alt="panel">' in page
    files = page.split('id="mdg-kb-files"')[1]
    assert "manual.pdf" in files and "panel.png" not in files
