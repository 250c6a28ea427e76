"""Agents' knowledge-base pages: the "not helpful" comments waiting for a follow-up."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.core.access import staff_view
from madoguchi.kb import selectors, services


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
