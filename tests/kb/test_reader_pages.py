"""Help-centre pages shared by signed-in readers with the same reading rights: served from the
cache with each person's own menu and token, never across audiences, never to agents."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from madoguchi.accounts.models import Membership, Organisation, User
from madoguchi.branding.services import default_brand
from madoguchi.core.memo import request_memo
from madoguchi.kb import selectors
from madoguchi.kb.models import (
    Article,
    ArticleFeedback,
    KnowledgeBase,
    Section,
    Segment,
    Visibility,
)
from tests.factories import add_member, make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ARTICLE = "/en/kb/help/articles/reset-your-password/"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def article(kb: KnowledgeBase, section: Section) -> Article:
    return make_article(kb, "Reset your password", section=section, visibility=Visibility.SIGNED_IN)


def _signed_in(user: User, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def _article_queries(fetch: Callable[[], Any]) -> tuple[Any, int]:
    """Fetch; count the queries reading articles (a reader's segments are read either way)."""
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    return response, sum('"kb_article' in query["sql"] for query in captured.captured_queries)


def _tokens(html: str) -> set[str]:
    return set(TOKEN_RE.findall(html))


def _form_token(html: str, action: str) -> str:
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" {TOKEN_RE.pattern}', html
    )
    assert found, f"no form posting to {action}"
    return found.group(1)


def test_a_colleague_is_served_from_the_cache_with_their_own_menu(
    article: Article, alice: User, bob: User
) -> None:
    """Alice and Bob (the organisation's admin) read the same articles; the menu is each one's."""
    first = _signed_in(alice).get(ARTICLE).content.decode()

    hit, queries = _article_queries(lambda: _signed_in(bob).get(ARTICLE))
    fresh = _signed_in(bob).get(ARTICLE + "?again").content.decode()

    page = hit.content.decode()
    assert hit.status_code == 200
    assert queries == 0
    assert bob.name in page and alice.name not in page
    assert "Organisation members" in page and "Organisation members" not in first
    # The same person's page reads exactly as when rendered for them, tokens aside.
    for token in _tokens(page):
        page = page.replace(token, "")
    for token in _tokens(fresh):
        fresh = fresh.replace(token, "")
    assert page == fresh.replace("?again", "")


def test_the_token_of_a_cached_page_is_the_readers_own_and_works(
    article: Article, alice: User, bob: User
) -> None:
    _signed_in(alice).get(ARTICLE)
    reader = _signed_in(bob, enforce_csrf_checks=True)

    page = reader.get(ARTICLE).content.decode()
    vote_token = _form_token(page, ARTICLE + "feedback/")
    sign_out_token = _form_token(page, "/accounts/logout/")
    vote = reader.post(ARTICLE + "feedback/", {"helpful": "yes", "csrfmiddlewaretoken": vote_token})
    sign_out = reader.post("/accounts/logout/", {"csrfmiddlewaretoken": sign_out_token})

    assert vote.status_code == 302
    assert ArticleFeedback.objects.get().user == bob
    assert sign_out.status_code == 302
    assert "_auth_user_id" not in reader.session


def test_a_pending_message_is_shown_not_a_cached_page(article: Article, alice: User) -> None:
    reader = _signed_in(alice)
    reader.get(ARTICLE)

    thanked = reader.post(ARTICLE + "feedback/", {"helpful": "yes"}, follow=True)

    assert "Thank you for your feedback." in thanked.content.decode()
    assert "1 person found this helpful." in thanked.content.decode()


def test_another_organisation_never_gets_a_page_it_may_not_read(
    kb: KnowledgeBase, section: Section, alice: User, carol: User, org_a: Organisation
) -> None:
    make_article(
        kb,
        "Acme price list",
        section=section,
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_a],
    )
    address = "/en/kb/help/articles/acme-price-list/"
    section_page = f"/en/kb/help/sections/{section.slug}/"
    assert _signed_in(alice).get(address).status_code == 200
    assert "Acme price list" in _signed_in(alice).get(section_page).content.decode()

    assert _signed_in(carol).get(address).status_code == 404
    assert "Acme price list" not in _signed_in(carol).get(section_page).content.decode()
    assert Client().get(address).status_code == 404


def test_a_new_membership_is_a_new_audience(
    kb: KnowledgeBase, section: Section, alice: User, org_b: Organisation
) -> None:
    make_article(
        kb,
        "Globex setup",
        section=section,
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )
    address = "/en/kb/help/articles/globex-setup/"
    assert _signed_in(alice).get(address).status_code == 404

    add_member(alice, org_b)

    assert _signed_in(alice).get(address).status_code == 200


def test_agents_are_never_served_nor_leave_a_cached_page(article: Article, dave: User) -> None:
    agent = _signed_in(dave)
    agent.get(ARTICLE)

    _, queries = _article_queries(lambda: agent.get(ARTICLE))
    reader = make_user("frank@example.com", name="Frank Example")
    page = _signed_in(reader).get(ARTICLE).content.decode()

    assert queries > 0
    assert dave.name not in page
    assert "Agent workspace" not in page


def test_visitors_and_readers_never_share_a_page(article: Article, alice: User) -> None:
    public = make_article(article.knowledge_base, "Opening hours", section=article.section)
    address = "/en/kb/help/articles/opening-hours/"
    _signed_in(alice).get(address)

    visitor = Client().get(address).content.decode()
    Client().get(address)
    reader = _signed_in(alice).get(address).content.decode()

    assert public.pk and "Sign in" in visitor and alice.name not in visitor
    assert alice.name in reader and "Sign in" not in reader


def test_readers_alike_share_an_audience_and_others_do_not(
    alice: User, bob: User, carol: User, dave: User, org_a: Organisation
) -> None:
    admins = Segment.objects.create(
        brand=default_brand(), name="Admins", role=Membership.Role.ADMIN
    )
    frank = make_user("frank@example.com")
    add_member(frank, org_a)

    with request_memo():
        audiences = {
            name: selectors.reader_audience(user)
            for name, user in {
                "alice": alice,
                "bob": bob,
                "carol": carol,
                "frank": frank,
                "visitor": AnonymousUser(),
            }.items()
        }
        agent = selectors.reader_audience(dave)

    assert audiences["alice"] == audiences["frank"] == ("reader", (org_a.pk,), ())
    assert audiences["bob"] == ("reader", (org_a.pk,), (admins.pk,))
    assert audiences["carol"] not in (audiences["alice"], audiences["bob"])
    assert audiences["visitor"] == ("public",)
    assert agent is None
