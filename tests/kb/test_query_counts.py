"""The article page and the section list make the same number of queries however much they show."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from madoguchi.accounts.models import User
from madoguchi.kb import services
from madoguchi.kb.models import Article, KnowledgeBase, Section
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the session and the brand are cached after the first request
    # View counts are written every 30 s: start the clock now so no write falls in the count.
    services.article_views_flush()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _fill(kb: KnowledgeBase, section: Section, count: int, start: int = 0) -> list[Article]:
    return [
        make_article(
            kb,
            f"Article {start + n}",
            section=section,
            translations={"ja": (f"記事 {start + n}", "本文")},
            tags=[f"tag-{n}"],
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "customer"])
def test_section_list_queries_do_not_grow_with_its_size(
    client: Client, kb: KnowledgeBase, section: Section, alice: User, signed_in: bool
) -> None:
    if signed_in:
        client.force_login(alice)
    url = "/en/kb/help/sections/basics/"
    _fill(kb, section, 2)
    few = _queries(client, url)

    _fill(kb, section, 18, start=2)

    assert _queries(client, url) == few


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "customer"])
def test_article_page_queries_do_not_grow_with_related_tags_or_files(
    client: Client, kb: KnowledgeBase, section: Section, alice: User, signed_in: bool
) -> None:
    if signed_in:
        client.force_login(alice)
    main = make_article(kb, "Main", section=section, translations={"ja": ("メイン", "本文")})
    _fill(kb, section, 1)
    url = "/en/kb/help/articles/main/"
    few = _queries(client, url)

    related = _fill(kb, section, 8, start=1)
    main.related.set(related[:3])
    main.tags.set([t for a in related for t in a.tags.all()])

    assert _queries(client, url) == few
