"""Whole pages cached for visitors who are not signed in (help-centre pages, the same for all).

A page is cached only for a GET with no query string from a visitor with no session cookie (so
no sign-in, no pending message, no vote remembered in a session), and only when the view
answered 200 without setting cookies or using a CSP nonce. Each visitor still gets their own
CSRF token: the stored page is kept split around the token it was rendered with, and a hit joins
the parts with a token for this visitor (CsrfViewMiddleware then sets their cookie as usual).

The decorator wraps the view, inside every middleware: the brand, the sign-in gate and the
security headers apply to a hit exactly as to a render. Entries carry the generation they were
rendered in; invalidate() starts a new generation (apps call it when content changes), and
PAGE_CACHE_SECONDS bounds what no signal announces (view counts in "popular" lists, relative
dates). With Redis every process shares the pages and the generation.
"""

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

_GENERATION_KEY = "page-cache:generation"
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
# Headers the view set that a hit must repeat; the middleware adds the rest on the way out.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")

type HitHook = Callable[[HttpRequest, Any], None]


def invalidate() -> None:
    """Make every cached page stale (content they show has changed)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)


def invalidate_on_commit() -> None:
    """invalidate() once the current transaction commits: invalidating before would let a
    concurrent render store the old content under the new generation."""
    transaction.on_commit(invalidate)


def anonymous_page(on_hit: HitHook | None = None) -> Callable[..., Any]:
    """Cache the decorated view's page for visitors; on_hit(request, response.cache_note) runs on
    every hit (an article counts its views there)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _page_key(request)
            found = cache.get_many([_GENERATION_KEY, key])
            generation = found.get(_GENERATION_KEY, 0)
            entry = found.get(key)
            if entry is not None and entry["generation"] == generation:
                if on_hit is not None:
                    on_hit(request, entry["note"])
                return _replay(request, entry)
            response = view(request, *args, **kwargs)
            _store(request, response, key, generation)
            return response

        return wrapper

    return decorate


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.user.is_authenticated
    )


def _page_key(request: HttpRequest) -> str:
    where = "|".join(
        (
            request.scheme,
            request.get_host(),
            request.path,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
        )
    )
    return "page-cache:" + hashlib.sha256(where.encode()).hexdigest()


def _store(request: HttpRequest, response: HttpResponse, key: str, generation: int) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or getattr(request, "_csp_nonce", None)
    ):
        return
    content = response.content
    tokens = set(_TOKEN.findall(content))
    # A token used only outside a form (a script header) could not be swapped for the next visitor.
    if len(tokens) > 1 or (not tokens and request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
        return
    parts = content.split(tokens.pop()) if tokens else [content]
    entry = {
        "generation": generation,
        "parts": parts,
        "headers": {name: response[name] for name in _KEPT_HEADERS if name in response},
        "note": getattr(response, "cache_note", None),
    }
    cache.set(key, entry, settings.PAGE_CACHE_SECONDS)


def _replay(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    parts = entry["parts"]
    content = get_token(request).encode().join(parts) if len(parts) > 1 else parts[0]
    return HttpResponse(content, headers=entry["headers"])
