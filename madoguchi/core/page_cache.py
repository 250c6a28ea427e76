"""Help-centre pages cached whole and shared by everyone who would see the same page.

A page is cached only for a GET with no query string, and only when the view answered 200
without setting cookies or using a CSP nonce. Who shares a page:

- Visitors with no session cookie (so no sign-in, no pending message, no vote remembered in a
  session) share one copy per address, language and time zone.
- Signed-in people share it with their audience: the view's audience(request) names the people
  whose pages are the same (a help-centre reader's organisations and segments), None keeps the
  page theirs alone. Nobody with a pending message or an unfinished two-factor setup is served
  from, or stored in, the cache. Their copy is stored without the layout's menu (the part
  between the viewer markers of base.html, which names the person); a hit renders this
  person's menu (VIEWER_TEMPLATE, from the request alone) into it.

Each person still gets their own CSRF token: the stored page is kept split around the token it
was rendered with, and a hit joins the parts with a token for this person (CsrfViewMiddleware
then sets their cookie as usual).

The decorator wraps the view, inside every middleware: the brand, the sign-in gate and the
security headers apply to a hit exactly as to a render. Entries carry the generation they were
rendered in; invalidate() starts a new generation (apps call it when content changes), and
PAGE_CACHE_SECONDS bounds what no signal announces (view counts in "popular" lists, relative
dates). With Redis every process shares the pages and the generation.
"""

import functools
import hashlib
import re
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation

_GENERATION_KEY = "page-cache:generation"
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
# Headers the view set that a hit must repeat; the middleware adds the rest on the way out.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")
# The signed-in person's part of the layout: base.html includes VIEWER_TEMPLATE between these.
VIEWER_TEMPLATE = "core/_viewer_menu.html"
_VIEWER_START = b"<!--mdg-viewer-->"
_VIEWER_END = b"<!--/mdg-viewer-->"
_VIEWER_SLOT = b"\x00mdg-viewer\x00"
_VISITORS = "visitors"

type HitHook = Callable[[HttpRequest, Any], None]
type Audience = Callable[[HttpRequest], Hashable | None]


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


def shared_page(
    audience: Audience | None = None, on_hit: HitHook | None = None
) -> Callable[..., Any]:
    """Cache the decorated view's page for visitors and, with an audience, for signed-in people
    (module docstring); on_hit(request, response.cache_note) runs on every hit (an article
    counts its views there)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            shared_by = _shared_by(request, audience)
            if shared_by is None:
                return view(request, *args, **kwargs)
            key = _page_key(request, shared_by)
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


def _shared_by(request: HttpRequest, audience: Audience | None) -> Hashable | None:
    """Return who shares this request's page, or None when it must be rendered for it alone."""
    if (
        settings.PAGE_CACHE_SECONDS <= 0
        or request.method != "GET"
        or request.META.get("QUERY_STRING")
    ):
        return None
    if not request.user.is_authenticated:
        return None if settings.SESSION_COOKIE_NAME in request.COOKIES else _VISITORS
    if (
        audience is None
        or getattr(request, "mfa_enrolment_required", False)
        # len() reads the pending messages without marking them shown.
        or len(messages.get_messages(request))
    ):
        return None
    shared = audience(request)
    return None if shared is None else ("signed-in", shared)


def _page_key(request: HttpRequest, shared_by: Hashable) -> str:
    where = "|".join(
        (
            request.scheme,
            request.get_host(),
            request.path,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            repr(shared_by),
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
    personal = request.user.is_authenticated
    if personal:
        head, _start, rest = content.partition(_VIEWER_START)
        _menu, end, tail = rest.partition(_VIEWER_END)
        if not end:
            return  # not a page of the layout: nowhere to put the next person's menu
        content = head + _VIEWER_SLOT + tail
    tokens = set(_TOKEN.findall(content))
    # A token used only outside a form (a script header) could not be swapped for the next visitor.
    if len(tokens) > 1 or (not tokens and request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
        return
    parts = content.split(tokens.pop()) if tokens else [content]
    entry = {
        "generation": generation,
        "parts": parts,
        "personal": personal,
        "headers": {name: response[name] for name in _KEPT_HEADERS if name in response},
        "note": getattr(response, "cache_note", None),
    }
    cache.set(key, entry, settings.PAGE_CACHE_SECONDS)


def _replay(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    parts = entry["parts"]
    content = get_token(request).encode().join(parts) if len(parts) > 1 else parts[0]
    if entry["personal"]:
        menu = render_to_string(VIEWER_TEMPLATE, request=request).encode()
        content = content.replace(_VIEWER_SLOT, _VIEWER_START + menu + _VIEWER_END, 1)
    return HttpResponse(content, headers=entry["headers"])
