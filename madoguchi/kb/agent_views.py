"""Agents' knowledge-base pages: reader comments waiting for a follow-up, the knowledge gaps."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.core.access import staff_view
from madoguchi.kb import selectors, services
from madoguchi.search import gaps as gaps_report

GAP_PERIODS = ("7", "30", "90")


@staff_view
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    items = list(selectors.follow_ups_open(request.user))
    for item in items:
        item.shown = selectors.pick_translation(item.article, item.language)
    return render(request, "kb/agent/follow_ups.html", {"items": items})


@staff_view
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for(request.user, pk)
    services.feedback_follow_up_done(feedback, by=request.user)
    messages.success(request, _("Marked as followed up."))
    return redirect("kb_agent:follow_ups")


@staff_view
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """The knowledge-gap report: top searches, searches that found nothing or led to a request."""
    days = request.GET.get("days", "")
    report = gaps_report.knowledge_gaps(days=int(days) if days in GAP_PERIODS else 30)
    context = {"report": report, "create_url": _article_create_url(), "periods": GAP_PERIODS}
    return render(request, "kb/agent/gaps.html", context)


def _article_create_url() -> str:
    """Return where a new article is started: the editor when it exists, else the admin."""
    try:
        return reverse("kb_agent:new")
    except NoReverseMatch:
        return reverse("admin:kb_article_add")
