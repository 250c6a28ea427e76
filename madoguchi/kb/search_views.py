"""The help centre's search page, its predictive suggestions and the click recorder.

Every search typed into the page is written to the search log; the session remembers the last
few log entries it made, so a click (and a request submitted afterwards) is credited to the
searcher's own entry and nobody else's.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.core.http import query_id, query_without_page
from madoguchi.core.translated import active_language
from madoguchi.kb import indexing, search_selectors, selectors
from madoguchi.kb.forms import SearchForm
from madoguchi.kb.search_log import click_token, click_token_read, log_search
from madoguchi.search import services as search_services
from madoguchi.search import session as search_session
from madoguchi.search.models import SearchLog

PAGE_SIZE = 10
DEFLECTION_RESULTS = 5


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """Show results for ?q= with filters (knowledge base, category, language) and pages."""
    form = SearchForm(request.GET or None)
    bases = list(selectors.knowledge_bases_for(request.user, request.brand))
    context: dict[str, Any] = {
        "form": form,
        "bases": bases,
        "categories": selectors.search_categories(request.user, bases),
    }
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        filters = search_selectors.SearchFilters(
            kb=data["kb"], category=data["category"], language=data["language"]
        )
        found = search_selectors.articles_search(
            request.user, data["q"], brand=request.brand, filters=filters
        )
        context["found"] = found
        context["log_id"] = (
            None if data.get("page") else log_search(request, found, SearchLog.Surface.PAGE)
        )
        context["page"] = Paginator(found.hits, PAGE_SIZE).get_page(data.get("page") or 1)
        search_selectors.load_bodies(context["page"].object_list)
        context["query_string"] = query_without_page(request)
    return render(request, "kb/search.html", context)


@require_GET
def click(request: HttpRequest) -> HttpResponse:
    """Record which result was opened on the searcher's own log entry, then open it.

    The entry is the searcher's when their session made it, or when the link carries our
    signature of it (the widget's results: that page's visitors have no session here).
    """
    log, key = _clicked(request)
    target = search_selectors.hit_url(request.user, key)
    if log is not None and target:
        search_services.search_log_click(log, source="kb.article", key=key)
    return redirect(target or "kb_search:page")


def _clicked(request: HttpRequest) -> tuple[int | None, str]:
    """Return the log entry to credit (None: none of the searcher's) and the document key."""
    parsed = indexing.parse_key(request.GET.get("key", ""))
    key = indexing.document_key(*parsed) if parsed else ""
    token = request.GET.get("t", "")
    if token:
        return click_token_read(token, key), key
    log = query_id(request, "log")
    return (log if log is not None and log in search_session.recent(request) else None), key


def _widget_link(request: HttpRequest, hit: search_selectors.ArticleHit, log: int | None) -> str:
    """Return the absolute address of a widget result: through the click counter when the
    search was logged."""
    if log is None:
        return request.build_absolute_uri(hit.url)
    # The key stands beside the token: the link opens the article after the token expires.
    query = urlencode({"key": hit.key, "t": click_token(log, hit.key)})
    return request.build_absolute_uri(f"{reverse('kb_search:click')}?{query}")


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Answer the header's predictive search: a few titles for what is typed so far."""
    hits = search_selectors.title_suggestions(
        request.user, request.GET.get("q", ""), brand=request.brand
    )
    return JsonResponse(
        {
            "results": [
                {"title": hit.title, "url": hit.url, "language": hit.language} for hit in hits
            ]
        }
    )


@require_GET
def deflect(request: HttpRequest) -> JsonResponse:
    """Suggest articles for what a customer writes on the request form, and log the search."""
    text = search_selectors.clean_query(request.GET.get("q", ""))
    if not text:
        return JsonResponse({"results": []})
    found = search_selectors.articles_search(
        request.user, text, brand=request.brand, limit=DEFLECTION_RESULTS
    )
    log_id = log_search(request, found, SearchLog.Surface.REQUEST_FORM, draft=True)
    opener = reverse("kb_search:click")
    return JsonResponse(
        {
            "results": [
                {
                    "title": hit.title,
                    "url": f"{opener}?{urlencode({'log': log_id, 'key': hit.key})}",
                    "language": hit.language,
                }
                for hit in found.hits
            ]
        }
    )


WIDGET_RESULTS = 8


def _widget_search(request: HttpRequest, text: str) -> search_selectors.ArticleSearch:
    """Public articles in the endpoint's language; in any language when none is found in it
    (an article not translated yet still answers)."""
    found = search_selectors.articles_search(
        AnonymousUser(),
        text,
        brand=request.brand,
        filters=search_selectors.SearchFilters(language=active_language()),
        limit=WIDGET_RESULTS,
    )
    if found.hits:
        return found
    return search_selectors.articles_search(
        AnonymousUser(), text, brand=request.brand, limit=WIDGET_RESULTS
    )


@require_GET
def widget(request: HttpRequest) -> JsonResponse:
    """Answer the embeddable widget: public articles only, to the brand's allowed origins.

    The browser sends the page's Origin; only a listed one gets the CORS header, and any other
    is refused outright. Nobody's session counts here: a visitor's results are the public ones.
    """
    origin = request.headers.get("Origin", "")
    if not request.brand.widget_allows(origin):
        detail = _("This website may not show the search widget.")
        return JsonResponse({"status": 403, "detail": detail}, status=403)
    text = search_selectors.clean_query(request.GET.get("q", ""))
    hits: list[search_selectors.ArticleHit] = []
    log = None
    if text:
        found = _widget_search(request, text)
        log = log_search(request, found, SearchLog.Surface.WIDGET, remember=False)
        hits = found.hits
        search_selectors.load_bodies(hits)
    response = JsonResponse(
        {
            "results": [
                {
                    "title": hit.title,
                    "url": _widget_link(request, hit, log),
                    "snippet": hit.snippet,
                    "language": hit.language,
                }
                for hit in hits
            ]
        }
    )
    response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response
