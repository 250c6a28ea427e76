"""Writing searches to the knowledge-gap log from the surfaces people search on.

Anyone may search, visitors included, so each address may add only so many entries a minute
(ACCOUNT_RATE_LIMITS["search_log"]): past that the search is still answered, just not written.
"""

from allauth.core.internal import ratelimit
from django.core import signing
from django.http import HttpRequest

from madoguchi.kb import indexing, search_selectors
from madoguchi.search import services as search_services
from madoguchi.search import session as search_session

CLICK_SALT = "kb.search.click"
# A signed result link credits its search this long after it was shown.
CLICK_SECONDS = 24 * 60 * 60


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
        scope=indexing.brand_label(request.brand.pk),
        draft_of=earlier[0] if earlier else None,
    )
    if remember and entry.pk not in earlier:
        search_session.remember(request, entry.pk)
    return entry.pk


def click_token(entry_id: int, key: str) -> str:
    """Return a signed token naming a log entry and the result opened from it, for searchers
    without a session here (the embedded widget's visitors)."""
    return signing.dumps([entry_id, key], salt=CLICK_SALT, compress=True)


def click_token_read(token: str, key: str) -> int | None:
    """Return the entry a click_token names for the document `key`; None for a forged, stale
    or malformed token, or one given for another document."""
    try:
        entry_id, signed_key = signing.loads(token, salt=CLICK_SALT, max_age=CLICK_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(entry_id, int) or signed_key != key:
        return None
    return entry_id
