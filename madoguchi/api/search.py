"""/api/v1/search: the help centre's search for integrations, exactly as the caller may read it.

Visitors may call it too (public articles only); a signed-in session sees what its pages show.
Whatever was typed, the answer is results or an empty list, never an error from the engine.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from madoguchi.api.errors import count_checked
from madoguchi.api.schemas import Problem
from madoguchi.kb import search_selectors
from madoguchi.kb.search_log import log_search
from madoguchi.search.models import SearchLog

router = Router(tags=["search"])
LIMIT_MAX = 50


class SearchParams(Schema):
    q: str = ""
    limit: int = 10
    mode: Literal["lexical", "semantic", "hybrid"] = "hybrid"


class SearchResult(Schema):
    id: int
    external_id: str
    title: str
    url: str
    snippet: str
    score: float
    language: str


class SearchAnswer(Schema):
    results: list[SearchResult]


@router.get(
    "",
    response={200: SearchAnswer, 400: Problem, 422: Problem},
    auth=None,
    summary="Search the help centre",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchAnswer:
    count_checked("limit", params.limit, LIMIT_MAX)
    if not search_selectors.clean_query(params.q):
        return SearchAnswer(results=[])
    found = search_selectors.articles_search(
        request.user, params.q, brand=request.brand, mode=params.mode, limit=params.limit
    )
    log_search(request, found, SearchLog.Surface.API, remember=False)
    shown = found.hits[: params.limit]
    search_selectors.load_bodies(shown)
    return SearchAnswer(
        results=[
            SearchResult(
                id=hit.article_id,
                external_id=hit.external_id,
                title=hit.title,
                url=request.build_absolute_uri(hit.url),
                snippet=hit.snippet,
                score=hit.score,
                language=hit.language,
            )
            for hit in shown
        ]
    )
