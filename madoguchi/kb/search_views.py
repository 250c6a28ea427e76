"""The help centre's search page, its predictive suggestions and the click recorder.

Every search typed into the page is written to the search log; the session remembers the last
few log entries it made, so a click (and a request submitted afterwards) is credited to the
searcher's own entry and nobody else's.
"""

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET

from madoguchi.kb import search_selectors, selectors
from madoguchi.kb.forms import SearchForm
from madoguchi.search import services as search_services

PAGE_SIZE = 10
SESSION_LOGS = "search_log_ids"
SESSION_LOGS_KEPT = 20


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def remember_log(request: HttpRequest, log_id: int) -> None:
    """Keep the id of a search log entry this visitor made (for clicks and deflection)."""
    kept = [*request.session.get(SESSION_LOGS, []), log_id][-SESSION_LOGS_KEPT:]
    request.session[SESSION_LOGS] = kept


def own_log_ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.session.get(SESSION_LOGS, [])]


def log_search(request: HttpRequest, found: search_selectors.ArticleSearch) -> int:
    entry = search_services.search_log_record(
        query=found.query,
        normalized_query=found.normalized,
        mode=found.mode,
        result_count=found.count,
        user=request.user,
    )
    remember_log(request, entry.pk)
    return entry.pk


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """Show results for ?q= with filters (knowledge base, category, language) and pages."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "bases": selectors.knowledge_bases_for(request.user, request.brand)}
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        filters = search_selectors.SearchFilters(
            kb=data["kb"], category=data["category"], language=data["language"]
        )
        found = search_selectors.articles_search(
            request.user, data["q"], brand=request.brand, filters=filters
        )
        context["found"] = found
        context["log_id"] = log_search(request, found) if not data.get("page") else None
        context["page"] = Paginator(found.hits, PAGE_SIZE).get_page(data.get("page") or 1)
        context["query_string"] = _without_page(request)
    return render(request, "kb/search.html", context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def click(request: HttpRequest) -> HttpResponse:
    """Record which result was opened on the searcher's own log entry, then open it."""
    target = search_selectors.hit_url(request.user, request.GET.get("key", ""))
    log = request.GET.get("log", "")
    if log.isdigit() and int(log) in own_log_ids(request) and target:
        search_services.search_log_click(int(log), source="kb.article", key=request.GET["key"])
    return redirect(target or "kb_search:page")


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Answer the header's predictive search: a few titles for what is typed so far."""
    hits = search_selectors.title_suggestions(
        request.user, request.GET.get("q", ""), brand=request.brand
    )
    return JsonResponse(
        {"results": [{"title": hit.title, "url": hit.url, "language": hit.language} for hit in hits]}
    )
