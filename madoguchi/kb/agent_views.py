"""Agents' knowledge-base pages: the "not helpful" comments waiting for a follow-up.

An article's owner sees the comments on their articles first (?all=1 shows everyone's); each
is marked as followed up, or dismissed when it needs no change.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.core.access import object_view, staff_view
from madoguchi.kb import selectors, services
from madoguchi.kb.models import ArticleFeedback


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
