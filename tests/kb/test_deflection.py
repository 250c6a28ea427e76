"""Deflection on the request form: suggestions while typing, opened articles, requests after."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb.models import Article, KnowledgeBase, Visibility
from madoguchi.search.models import SearchLog
from madoguchi.tickets.models import RequestType
from tests.factories import make_article, make_request_type

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("keyword_search_only"),
]


@pytest.fixture
def refund(kb: KnowledgeBase) -> Article:
    return make_article(
        kb,
        "Ask for a refund",
        body="Refunds arrive within five days.",
        translations={"ja": ("返金を依頼する", "返金は五日以内に届きます。")},
    )


@pytest.fixture
def request_type() -> RequestType:
    return make_request_type("Billing question", "請求について")


def test_request_form_offers_suggestions(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)
    for prefix in ("en", "ja"):
        page = client.get(f"/requests/new/{request_type.pk}/", headers={"accept-language": prefix})
        assert f'data-mdg-deflection="/{prefix}/search/deflect/"' in page.text
        assert "deflection.js" in page.text


def test_suggestions_are_logged_from_the_request_form(client: Client, refund: Article) -> None:
    results = client.get("/ja/search/deflect/", {"q": "返金 まだ届かない"}).json()["results"]
    assert [r["title"] for r in results] == ["返金を依頼する"]
    entry = SearchLog.objects.get()
    assert entry.surface == SearchLog.Surface.REQUEST_FORM
    assert results[0]["url"] == f"/ja/search/open/?log={entry.pk}&key={refund.pk}.ja"


def test_a_draft_is_one_log_entry_however_often_the_customer_pauses(
    client: Client, refund: Article
) -> None:
    for typed in ("re", "refund", "refund is late"):
        client.get("/en/search/deflect/", {"q": typed})

    entry = SearchLog.objects.get()
    assert (entry.query, entry.result_count) == ("refund is late", 1)


def test_after_an_opened_suggestion_more_writing_is_a_new_entry(
    client: Client, refund: Article
) -> None:
    url = client.get("/en/search/deflect/", {"q": "refund"}).json()["results"][0]["url"]
    client.get(url)

    client.get("/en/search/deflect/", {"q": "refund is late again"})

    opened, later = SearchLog.objects.order_by("pk")
    assert (opened.query, opened.clicked_key) == ("refund", f"{refund.pk}.en")
    assert (later.query, later.clicked_key) == ("refund is late again", "")


def test_a_draft_left_for_long_starts_a_new_entry(client: Client, refund: Article) -> None:
    client.get("/en/search/deflect/", {"q": "refund"})
    SearchLog.objects.update(created_at=timezone.now() - timedelta(minutes=31))

    client.get("/en/search/deflect/", {"q": "invoice copy"})

    assert list(SearchLog.objects.order_by("pk").values_list("query", flat=True)) == [
        "refund",
        "invoice copy",
    ]


def test_opened_suggestion_then_request_marks_followed_by_request(
    client: Client, alice: User, refund: Article, request_type: RequestType
) -> None:
    client.force_login(alice)
    url = client.get("/en/search/deflect/", {"q": "refund late"}).json()["results"][0]["url"]
    client.get(url)
    entry = SearchLog.objects.get()
    assert entry.clicked_key == f"{refund.pk}.en"
    assert not entry.followed_by_request  # opened and not (yet) submitted: a deflection
    response = client.post(
        f"/requests/new/{request_type.pk}/",
        {"subject": "Refund late", "description": "Still waiting for my refund."},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.followed_by_request


def test_empty_text_asks_nothing(client: Client) -> None:
    assert client.get("/en/search/deflect/", {"q": "  "}).json() == {"results": []}
    assert not SearchLog.objects.exists()


def test_other_organisations_article_is_not_suggested(
    client: Client, kb: KnowledgeBase, alice: User, org_b: Organisation
) -> None:
    make_article(
        kb,
        "Globex refund terms zanzibarcanary",
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )
    client.force_login(alice)
    assert "zanzibarcanary" not in client.get("/en/search/deflect/", {"q": "refund terms"}).text
