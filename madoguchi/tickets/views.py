from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.core.access import capability_view, object_view
from madoguchi.core.errors import DomainError, error_response
from madoguchi.core.http import query_choice, query_id, query_text, query_without_page
from madoguchi.core.uploads import private_file_response
from madoguchi.search import services as search_services
from madoguchi.search import session as search_session
from madoguchi.tickets import guests, selectors, services
from madoguchi.tickets.forms import GuestRequestForm, RatingForm, ReplyForm, RequestForm
from madoguchi.tickets.models import Attachment, RequestType, Ticket
from madoguchi.tickets.quotas import QuotaExceededError

PAGE_SIZE = 25
STATUS_FILTERS = {"open", *Ticket.Status.values}
ACTIVITY_TABS = {
    "": gettext_lazy("All I can see"),
    "mine": gettext_lazy("Asked by me"),
    "copied": gettext_lazy("Copied in"),
    "organisation": gettext_lazy("My organisation's"),
}


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    query = query_text(request, "q")
    groups = selectors.catalog_for(request.brand, query=query)
    return render(request, "tickets/catalog.html", {"groups": groups, "query": query})


@object_view(RequestType)
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        if request.brand.accepts_guest_requests:
            return _guest_submit(request, pk)
        return redirect_to_login(request.get_full_path())
    request_type = selectors.request_type_get_for(request.user, request.brand, pk)
    form = RequestForm(
        request_type,
        requester=request.user,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if request.method == "POST" and form.is_valid():
        new = form.new_request(brand=request.brand, requester=request.user)
        try:
            ticket = services.ticket_create(new)
        except services.StorageFullError as error:
            return error_response(request, 507, str(error))
        except QuotaExceededError as error:
            # Shown by the first file field: the files, not the request, are refused.
            form.add_error(next(iter(new.field_files)), str(error))
        else:
            search_services.search_logs_request_followed(search_session.forget(request))
            messages.success(
                request,
                _("Request %(number)s was received. We sent you a confirmation by mail.")
                % {"number": ticket.number},
            )
            return redirect("tickets:detail", pk=ticket.pk)
    status = 422 if request.method == "POST" else 200
    context = {"request_type": request_type, "form": form}
    return render(request, "tickets/submit.html", context, status=status)


def _guest_submit(request: HttpRequest, pk: int) -> HttpResponse:
    request_type = selectors.request_type_for_guests(request.brand, pk)
    form = GuestRequestForm(request_type, data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if form.is_bot():
            # Answered as a person would be, so the robot learns nothing.
            return redirect("tickets:guest_sent")
        if not ratelimit.consume(request, action="guest_request", key=data["guest_email"].lower()):
            return error_response(
                request, 429, _("Too many requests were sent just now. Try again in an hour.")
            )
        submission = guests.GuestSubmission(
            brand=request.brand,
            request_type=request_type,
            name=data["guest_name"],
            email=data["guest_email"],
            subject=data["subject"],
            description=data["description"],
            answers=form.answers(),
            field_files=form.files_by_key(),
        )
        try:
            guests.guest_request_hold(submission, language=translation.get_language())
        except services.StorageFullError as error:
            return error_response(request, 507, str(error))
        search_services.search_logs_request_followed(search_session.forget(request))
        return redirect("tickets:guest_sent")
    status = 422 if request.method == "POST" else 200
    context = {"request_type": request_type, "form": form}
    return render(request, "tickets/guest_submit.html", context, status=status)


@require_GET
def guest_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/guest_sent.html")


@capability_view
@require_http_methods(["GET", "POST"])
def guest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a guest request by its mailed link; a button, so mail scanners confirm nothing."""
    if request.method == "GET":
        return render(request, "tickets/guest_confirm.html", {"token": token})
    try:
        ticket = guests.guest_request_confirm(token)
    except DomainError as error:
        context = {"token": token, "error": str(error)}
        return render(request, "tickets/guest_confirm.html", context, status=400)
    return render(request, "tickets/guest_confirmed.html", {"ticket": ticket})


@login_required
@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    chosen = _activity_filter(request)
    tickets = selectors.activity_rows_for(request.user, chosen)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "chosen": chosen,
        "keep": query_without_page(request),
        "statuses": Ticket.Status.choices,
        "request_types": selectors.request_types_among(request.user),
        "scopes": [
            (scope, ACTIVITY_TABS[scope]) for scope in selectors.activity_scopes(request.user)
        ],
        "sorts": [
            ("updated", _("Last update")),
            ("created", _("Newest")),
            ("oldest", _("Oldest")),
        ],
    }
    return render(request, "tickets/activity.html", context)


def _activity_filter(request: HttpRequest) -> selectors.ActivityFilter:
    """Read the filter from the query string; anything unknown means "no filter"."""
    return selectors.ActivityFilter(
        status=query_choice(request, "status", STATUS_FILTERS),
        query=query_text(request, "q"),
        request_type=query_id(request, "type"),
        sort=query_choice(request, "sort", selectors.ACTIVITY_SORTS, "updated"),
        scope=query_choice(request, "scope", selectors.ACTIVITY_SCOPES),
    )


@object_view(Ticket)
@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for(request.user, pk)
    merged_into = selectors.merged_target_for(request.user, ticket)
    if merged_into is not None and request.method == "GET":
        # Old links (and mails) of a merged request lead to where its conversation went.
        return redirect("tickets:detail", pk=merged_into.pk)
    rating_form = RatingForm(request.POST if "rate" in request.POST else None)
    reply_form = ReplyForm(
        *(() if rating_form.is_bound else (request.POST or None, request.FILES or None))
    )
    done = _rate(request, ticket, rating_form) or _reply(request, ticket, reply_form)
    if done:
        return done
    may_rate = ticket.is_done and ticket.requester_id == request.user.pk
    context = {
        "ticket": ticket,
        "thread": selectors.public_thread(request.user, ticket),
        "answers": selectors.answer_rows(ticket),
        "field_files": selectors.field_attachments(ticket),
        "rating": selectors.rating_of(ticket) if may_rate else None,  # shown only then
        "form": reply_form,
        "rating_form": rating_form,
        "may_rate": may_rate,
        "followers": selectors.followers_of(ticket),
        "colleagues": selectors.colleagues_to_copy_in(request.user, ticket),
        "may_approve": selectors.may_decide_approval(request.user, ticket),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "tickets/detail.html", context, status=status)


def _rate(request: HttpRequest, ticket: Ticket, form: RatingForm) -> HttpResponse | None:
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        services.rating_give(ticket, user=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("Thank you for rating the answer."))
    return redirect(reverse("tickets:detail", args=[ticket.pk]) + "#rate")


def _reply(request: HttpRequest, ticket: Ticket, form: ReplyForm) -> HttpResponse | None:
    if not (form.is_bound and form.is_valid()):
        return None
    data = form.cleaned_data
    reply = services.NewReply(author=request.user, body=data["body"], files=data["files"])
    try:
        services.reply_add(ticket, reply)
    except services.StorageFullError as error:
        return error_response(request, 507, str(error))
    except QuotaExceededError as error:
        form.add_error("files", str(error))
        return None
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("Your reply was added."))
    return redirect("tickets:detail", pk=ticket.pk)


@object_view(Ticket)
@login_required
@require_POST
def followers(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a colleague in on the request, or stop copying someone in."""
    ticket = selectors.ticket_get_for(request.user, pk)
    person = selectors.person_for_request(request.user, request.POST.get("user", ""))
    try:
        if person is None:
            raise DomainError(_("Choose a colleague from the requester's organisation."))
        if request.POST.get("action") == "remove":
            services.follower_remove(ticket, by=request.user, follower=person)
            messages.success(request, _("%(name)s is no longer copied in.") % {"name": person})
        else:
            services.follower_add(ticket, by=request.user, follower=person)
            messages.success(request, _("%(name)s is now copied in.") % {"name": person})
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(reverse("tickets:detail", args=[ticket.pk]) + "#followers")


@object_view(Ticket)
@login_required
@require_POST
def approval(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin of the requester's organisation approves or declines the request."""
    ticket = selectors.ticket_get_for(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.approval_decide(ticket, by=request.user, approve=approve)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        done = _("The request was approved.") if approve else _("The request was declined.")
        messages.success(request, done)
    return redirect("tickets:detail", pk=ticket.pk)


@object_view(Attachment, url_kwargs=lambda found: {"ticket_pk": found.ticket_id, "pk": found.pk})
@login_required
@require_GET
def attachment(request: HttpRequest, ticket_pk: int, pk: int) -> FileResponse:
    """Serve a file to someone who may see its request (and its note, for agents' files).

    The file is looked up within the request in the URL (R3): a file of another request, even
    one the viewer may see, is not found here.
    """
    found = selectors.attachment_get_for(request.user, ticket_pk, pk)
    response = private_file_response(found.file, name=found.name, content_type=found.content_type)
    services.attachment_download_record(found, request=request)
    return response
