from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.core.access import object_view
from madoguchi.core.errors import DomainError
from madoguchi.tickets import selectors, services
from madoguchi.tickets.forms import ReplyForm, RequestForm
from madoguchi.tickets.models import RequestType, Ticket

PAGE_SIZE = 25
STATUS_FILTERS = {"open", *Ticket.Status.values}


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    groups = selectors.catalog_for(request.brand, query=query)
    return render(request, "tickets/catalog.html", {"groups": groups, "query": query})


@object_view(RequestType)
@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    request_type = selectors.request_type_get_for(request.user, request.brand, pk)
    form = RequestForm(
        request_type,
        requester=request.user,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if request.method == "POST" and form.is_valid():
        ticket = services.ticket_create(
            services.NewRequest(
                brand=request.brand,
                requester=request.user,
                request_type=request_type,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                answers=form.answers(),
            )
        )
        messages.success(
            request,
            _("Request %(number)s was received. We sent you a confirmation by mail.")
            % {"number": ticket.number},
        )
        return redirect("tickets:detail", pk=ticket.pk)
    status = 422 if request.method == "POST" else 200
    context = {"request_type": request_type, "form": form}
    return render(request, "tickets/submit.html", context, status=status)


@login_required
@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    query = request.GET.get("q", "").strip()[:200]
    tickets = selectors.tickets_for(request.user, status=status, query=query)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "query": query,
        "statuses": Ticket.Status.choices,
    }
    return render(request, "tickets/activity.html", context)


@object_view(Ticket)
@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for(request.user, pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reply = services.NewReply(author=request.user, body=form.cleaned_data["body"])
            services.reply_add(ticket, reply)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your reply was added."))
            return redirect("tickets:detail", pk=ticket.pk)
    context = {
        "ticket": ticket,
        "thread": selectors.public_thread(request.user, ticket),
        "answers": selectors.answer_rows(ticket),
        "form": form,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "tickets/detail.html", context, status=status)
