"""Writing searches to the knowledge-gap log from the surfaces people search on.

Anyone may search, visitors included, so each address may add only so many entries a minute
(ACCOUNT_RATE_LIMITS["search_log"]): past that the search is still answered, just not written.
"""

from allauth.core.internal import ratelimit
from django.http import HttpRequest

from madoguchi.kb import search_selectors
from madoguchi.search import services as search_services
from madoguchi.search import session as search_session


def log_search(
    request: HttpRequest,
    found: search_selectors.ArticleSearch,
    surface: str,
    *,
    remember: bool = True,
    draft: bool = False,
) -> int | None:
    """Log the search; remember the entry in the searcher's session so clicks count for it.

    A draft (the request form's text, searched as it is written) updates the entry this
    session logged for it before (search_services.search_log_record's draft_of).
    """
    if not ratelimit.consume(request, app="allauth.account", action="search_log", limit_get=True):
        return None
    earlier = search_session.recent(request)[-1:] if draft else []
    entry = search_services.search_log_record(
        query=found.query,
        normalized_query=found.normalized,
        mode=found.mode,
        result_count=found.count,
        user=request.user,
        surface=surface,
        draft_of=earlier[0] if earlier else None,
    )
    if remember and entry.pk not in earlier:
        search_session.remember(request, entry.pk)
    return entry.pk
