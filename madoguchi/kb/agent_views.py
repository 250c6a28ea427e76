"""Agents' knowledge-base pages: reader comments waiting for a follow-up, the knowledge gaps.

An article's owner sees the comments on their articles first (?all=1 shows everyone's); each
is marked as followed up, or dismissed when it needs no change.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.core.access import object_view, staff_view
from madoguchi.kb import selectors, services
from madoguchi.kb.indexing import brand_label
from madoguchi.kb.models import ArticleFeedback
from madoguchi.search import gaps as gaps_report

GAP_PERIODS = ("7", "30", "90")


@staff_view
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    everyone = request.GET.get("all") == "1"
    owner = None if everyone else request.user
    items = list(selectors.follow_ups_open(request.user, owner=owner))
    for item in items:
        item.shown = selectors.pick_translation(item.article, item.language)
    return render(request, "kb/agent/follow_ups.html", {"items": items, "everyone": everyone})


@staff_view
@object_view(ArticleFeedback)
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for(request.user, pk)
    dismiss = request.POST.get("action") == "dismiss"
    services.feedback_follow_up_done(feedback, by=request.user, dismiss=dismiss)
    messages.success(request, _("Dismissed.") if dismiss else _("Marked as followed up."))
    return redirect("kb_agent:follow_ups")


@staff_view
@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    """The knowledge-gap report: top searches, searches that found nothing or led to a request."""
    days = request.GET.get("days", "")
    report = gaps_report.knowledge_gaps(
        days=int(days) if days in GAP_PERIODS else 30, scope=brand_label(request.brand.pk)
    )
    context = {"report": report, "create_url": reverse("kb_agent:new"), "periods": GAP_PERIODS}
    return render(request, "kb/agent/gaps.html", context)
