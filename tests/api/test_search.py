"""GET /api/v1/search: results the caller may read, 4xx JSON for bad parameters, never a 500."""

import pytest
from django.test import Client

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb.models import Article, KnowledgeBase, Visibility
from madoguchi.search.models import SearchLog
from tests.factories import make_article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("keyword_search_only"),
]

CANARY = "zanzibarcanary"
HOSTILE = [
    '" AND OR NEAR( * -',
    "x" * 10_240,
    "\x00\x01\x1f\x7f パスワード",
    "' OR 1=1--",
    "   ",
    "*",
]


@pytest.fixture
def password(kb: KnowledgeBase) -> Article:
    return make_article(
        kb,
        "Reset your password",
        body="Open Settings and choose Reset password.",
        external_id="zd-42",
        translations={"ja": ("パスワードの再設定", "設定を開いてパスワードを再設定します。")},
    )


def test_results_have_the_documented_fields(client: Client, password: Article) -> None:
    response = client.get("/api/v1/search", {"q": "password", "mode": "lexical"})
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert set(result) >= {"id", "external_id", "title", "url", "snippet", "score"}
    assert (result["id"], result["external_id"]) == (password.pk, "zd-42")
    assert result["url"] == "http://testserver/en/kb/help/articles/reset-your-password/"
    assert SearchLog.objects.get().result_count == 1


def test_japanese_query_finds_the_japanese_text(client: Client, password: Article) -> None:
    results = client.get("/api/v1/search", {"q": "パスワード", "mode": "lexical"}).json()["results"]
    assert [r["title"] for r in results] == ["パスワードの再設定"]


def test_limit_cuts_the_list(client: Client, kb: KnowledgeBase) -> None:
    for number in range(5):
        make_article(kb, f"Modem manual {number}")
    results = client.get("/api/v1/search", {"q": "modem", "limit": 3}).json()["results"]
    assert len(results) == 3


def test_semantic_mode_falls_back_to_keywords_when_the_model_is_off(
    client: Client, password: Article
) -> None:
    response = client.get("/api/v1/search", {"q": "password", "mode": "semantic"})
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == password.pk


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x", "limit": 0}, 400),
        ({"q": "x", "limit": 500}, 400),
        ({"q": "x", "limit": "many"}, 422),
        ({"q": "x", "mode": "fuzzy"}, 422),
    ],
)
def test_bad_parameters_answer_4xx_json(client: Client, params: dict, status: int) -> None:
    response = client.get("/api/v1/search", params)
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_hostile_queries_never_fail(
    client: Client, password: Article, query: str, mode: str
) -> None:
    response = client.get("/api/v1/search", {"q": query, "mode": mode})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_empty_query_is_an_empty_list(client: Client, password: Article) -> None:
    assert client.get("/api/v1/search").json() == {"results": []}


def test_canary_of_another_organisation_never_appears(
    client: Client, kb: KnowledgeBase, alice: User, carol: User, org_b: Organisation
) -> None:
    """R5: visitors and organisation A never receive organisation B's article."""
    make_article(
        kb,
        "Globex pricing plan",
        body=f"Secret {CANARY} terms",
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
    )
    for mode in ("lexical", "hybrid"):
        assert CANARY not in client.get("/api/v1/search", {"q": "secret", "mode": mode}).text
    client.force_login(alice)
    assert CANARY not in client.get("/api/v1/search", {"q": "globex secret"}).text
    client.force_login(carol)
    assert CANARY in client.get("/api/v1/search", {"q": "globex secret"}).text
