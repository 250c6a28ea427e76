"""The agent workspace: queues, bulk changes, and a request with its customer's context."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.core.access import staff_view
from madoguchi.core.errors import DomainError, error_response
from madoguchi.tickets import selectors, services
from madoguchi.tickets.agent_forms import AgentReplyForm, ChangesForm, TicketChangesForm
from madoguchi.tickets.models import Priority, Ticket

PAGE_SIZE = 50


@staff_view
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("queue", "unassigned")
    name = name if name in selectors.QUEUES else "unassigned"
    status = request.GET.get("status", "")
    status = status if status in Ticket.Status.values else ""
    priority = request.GET.get("priority", "")
    priority = priority if priority in Priority.values else ""
    sort = request.GET.get("sort", "updated")
    sort = sort if sort in selectors.SORTS else "updated"
    due = request.GET.get("due", "")
    due = due if due in selectors.DUE_WITHIN else ""
    tickets = selectors.queue_for(
        request.user, name, status=status, priority=priority, sort=sort, due=due
    )
    context = {
        "page": Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page")),
        "queue": name,
        "counts": selectors.queue_counts(request.user),
        "filters": {"status": status, "priority": priority, "sort": sort, "due": due},
        "statuses": Ticket.Status.choices,
        "priorities": Priority.choices,
        "bulk": ChangesForm(),
    }
    return render(request, "tickets/agent/queue.html", context)


@staff_view
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    pks = [int(pk) for pk in request.POST.getlist("tickets") if pk.isdigit()]
    tickets = selectors.tickets_get_for(request.user, pks)
    form = ChangesForm(request.POST)
    back = request.POST.get("back", "")
    back = back if back.startswith("?") else ""
    if not tickets:
        messages.error(request, _("Select at least one request."))
    elif not form.is_valid():
        messages.error(request, _("The changes could not be applied: choose valid values."))
    else:
        try:
            count = services.tickets_bulk_update(
                tickets, actor=request.user, changes=form.changes()
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(count)d requests were updated.") % {"count": count})
    return redirect(reverse("agent:queue") + back)


@staff_view
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for(request.user, pk)
    replying = "reply" in request.POST
    reply_form = AgentReplyForm(
        request.POST if replying else None, request.FILES if replying else None
    )
    changes_form = TicketChangesForm.for_ticket(
        ticket, request.POST if "change" in request.POST else None
    )
    if reply_form.is_bound and reply_form.is_valid():
        try:
            reply = services.NewReply(
                author=request.user,
                body=reply_form.cleaned_data["body"],
                internal=reply_form.cleaned_data["internal"],
                status=reply_form.cleaned_data["status"] or None,
                files=reply_form.cleaned_data["files"],
            )
            services.reply_add(ticket, reply)
        except services.StorageFullError as error:
            return error_response(request, 507, str(error))
        except DomainError as error:
            reply_form.add_error(None, str(error))
        else:
            messages.success(request, _("Your message was added."))
            return redirect("agent:detail", pk=ticket.pk)
    if changes_form.is_bound and changes_form.is_valid():
        try:
            services.ticket_update(ticket, actor=request.user, changes=changes_form.changes())
        except DomainError as error:
            changes_form.add_error(None, str(error))
        else:
            messages.success(request, _("The request was updated."))
            return redirect("agent:detail", pk=ticket.pk)
    context = {
        "ticket": ticket,
        "thread": selectors.public_thread(request.user, ticket),
        "answers": selectors.answer_rows(ticket),
        "field_files": selectors.field_attachments(ticket),
        "others": selectors.other_requests(request.user, ticket),
        "sla_rows": selectors.sla_rows(ticket),
        "reply_form": reply_form,
        "changes_form": changes_form,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "tickets/agent/detail.html", context, status=status)
