"""Help-centre pages cached for visitors: served from the cache, each with the visitor's own CSRF
token, never to signed-in people (tests/kb/test_reader_pages.py: theirs are their audience's), and
cleared when what they show changes."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import User
from madoguchi.kb import authoring, services
from madoguchi.kb.models import Article, ArticleFeedback, KnowledgeBase, Section
from tests.factories import make_article, make_editor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ARTICLE = "/en/kb/help/articles/reset-your-password/"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def article(kb: KnowledgeBase, section: Section) -> Article:
    return make_article(kb, "Reset your password", body="Open **Settings**.", section=section)


def _kb_queries(fetch: Callable[[], Any]) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    return response, sum('"kb_' in query["sql"] for query in captured.captured_queries)


def _token(response: Any) -> str:
    found = TOKEN_RE.search(response.content.decode())
    assert found, "the page has no CSRF token"
    return found.group(1)


def test_second_visitor_is_served_from_the_cache(article: Article) -> None:
    first, first_queries = _kb_queries(lambda: Client().get(ARTICLE))
    second, second_queries = _kb_queries(lambda: Client().get(ARTICLE))

    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    assert _token(first) != _token(second)
    assert first.content.decode().replace(_token(first), "") == second.content.decode().replace(
        _token(second), ""
    )
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second


def test_each_visitor_gets_a_token_of_their_own_that_works(article: Article) -> None:
    Client().get(ARTICLE)
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(ARTICLE)
    token = _token(page)
    vote = visitor.post(ARTICLE + "feedback/", {"helpful": "yes", "csrfmiddlewaretoken": token})

    assert "csrftoken" in page.cookies
    assert f'"X-CSRFToken": "{token}"' in page.content.decode()
    assert vote.status_code == 302
    assert ArticleFeedback.objects.get().helpful is True


def test_a_visitor_without_the_token_is_still_refused(article: Article) -> None:
    Client().get(ARTICLE)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(ARTICLE)

    vote = visitor.post(ARTICLE + "feedback/", {"helpful": "yes"})

    assert vote.status_code == 403
    assert not ArticleFeedback.objects.exists()


def test_signed_in_people_never_get_or_leave_a_visitors_page(article: Article, alice: User) -> None:
    Client().get(ARTICLE)
    customer = Client()
    customer.force_login(alice)

    mine, queries = _kb_queries(lambda: customer.get(ARTICLE))
    visitor_page = Client().get(ARTICLE).content.decode()

    assert queries > 0
    assert alice.name in mine.content.decode()
    assert alice.name not in visitor_page
    assert "Sign in" in visitor_page


def test_a_visitor_with_a_session_sees_their_own_vote_counted(article: Article) -> None:
    Client().get(ARTICLE)
    voter = Client()
    voter.post(ARTICLE + "feedback/", {"helpful": "yes"})

    page = voter.get(ARTICLE).content.decode()

    assert "1 person found this helpful." in page


def test_addresses_with_a_query_string_are_rendered_every_time(article: Article) -> None:
    Client().get(ARTICLE + "?from=mail")

    _, queries = _kb_queries(lambda: Client().get(ARTICLE + "?from=mail"))

    assert queries > 0


def test_a_changed_article_clears_the_cache(
    article: Article, django_capture_on_commit_callbacks: Any
) -> None:
    Client().get(ARTICLE)
    shown = article.translations.get()

    with django_capture_on_commit_callbacks(execute=True):
        shown.title = "Reset a forgotten password"
        shown.save()

    assert "Reset a forgotten password" in Client().get(ARTICLE).content.decode()


def test_an_archived_article_leaves_the_cache(
    article: Article, django_capture_on_commit_callbacks: Any
) -> None:
    section_page = f"/en/kb/help/sections/{article.section.slug}/"
    assert "Reset your password" in Client().get(section_page).content.decode()
    Client().get(ARTICLE)

    with django_capture_on_commit_callbacks(execute=True):
        authoring.article_archive(article, by=make_editor("editor@example.com"))

    assert Client().get(ARTICLE).status_code == 404
    assert "Reset your password" not in Client().get(section_page).content.decode()


def test_changes_wait_for_the_commit(article: Article) -> None:
    """Invalidated before the commit, a concurrent render could cache the old text anew."""
    Client().get(ARTICLE)
    shown = article.translations.get()
    shown.title = "Not committed yet"
    shown.save()

    _, queries = _kb_queries(lambda: Client().get(ARTICLE))

    assert queries == 0


def test_views_served_from_the_cache_are_counted(article: Article) -> None:
    for _ in range(3):
        Client().get(ARTICLE)

    services.article_views_flush()

    article.refresh_from_db()
    assert article.view_count == 3


def test_zero_seconds_turns_the_cache_off(settings: Settings, article: Article) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    Client().get(ARTICLE)

    _, queries = _kb_queries(lambda: Client().get(ARTICLE))

    assert queries > 0


def test_japanese_and_english_pages_are_cached_apart(kb: KnowledgeBase, section: Section) -> None:
    make_article(
        kb,
        "Reset your password",
        section=section,
        translations={"ja": ("パスワードの再設定", "**設定**を開きます。")},
    )
    Client().get(ARTICLE)
    Client().get("/ja/kb/help/articles/パスワードの再設定/")

    english = Client().get(ARTICLE).content.decode()
    japanese = Client().get("/ja/kb/help/articles/パスワードの再設定/").content.decode()

    assert 'lang="en"' in english and "Reset your password" in english
    assert 'lang="ja"' in japanese and "パスワードの再設定" in japanese
