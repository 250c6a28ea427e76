"""The agent workspace: queues, bulk changes, and a request with its customer's context."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.accounts import availability
from madoguchi.core.access import staff_view
from madoguchi.core.errors import DomainError, error_response
from madoguchi.core.http import query_choice, query_id, query_text, query_without_page
from madoguchi.tickets import macros as macros_module
from madoguchi.tickets import selectors, services
from madoguchi.tickets.agent_forms import (
    AgentReplyForm,
    BulkChangesForm,
    MergeForm,
    PersonalMacroForm,
    TicketChangesForm,
)
from madoguchi.tickets.models import Priority, Ticket

# As many rows as the benchmark scenario B6 names (BENCHMARKS.md): a screenful to triage.
PAGE_SIZE = 25


@staff_view
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    name = query_choice(request, "queue", selectors.QUEUES, "unassigned")
    chosen = _queue_filter(request)
    tickets = selectors.queue_for(request.user, name, chosen)
    context = {
        "page": Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page")),
        "queue": name,
        "keep": query_without_page(request),
        "counts": selectors.queue_counts(request.user),
        "filters": chosen,
        "statuses": Ticket.Status.choices,
        "priorities": Priority.choices,
        "choices": selectors.queue_choices(),
        "bulk": BulkChangesForm(),
    }
    return render(request, "tickets/agent/queue.html", context)


def _queue_filter(request: HttpRequest) -> selectors.QueueFilter:
    """Read the queue's filters from the query string; anything unknown means "no filter"."""
    return selectors.QueueFilter(
        status=query_choice(request, "status", Ticket.Status.values),
        priority=query_choice(request, "priority", Priority.values),
        sort=query_choice(request, "sort", selectors.SORTS, "updated"),
        due=query_choice(request, "due", selectors.DUE_WITHIN),
        query=query_text(request, "q"),
        department=query_id(request, "group"),
        request_type=query_id(request, "type"),
        tag=query_text(request, "tag", 50),
        requester=query_text(request, "requester", 254),
    )


@staff_view
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    pks = [int(pk) for pk in request.POST.getlist("tickets") if pk.isdigit()]
    tickets = selectors.tickets_get_for(request.user, pks)
    form = BulkChangesForm(request.POST)
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
    macros = selectors.macros_for(request.user, ticket)
    replying = "reply" in request.POST
    reply_form = AgentReplyForm(
        request.POST if replying else None, request.FILES if replying else None
    )
    changes_form = TicketChangesForm.for_ticket(
        ticket, request.POST if "change" in request.POST else None
    )
    macro_result: macros_module.Rendered | None = None
    macro_error = ""
    if replying and "apply_macro" in request.POST:
        reply_form, macro_result, macro_error = _apply_macro(request, ticket, reply_form)
    elif reply_form.is_bound and reply_form.is_valid():
        done = _send_reply(request, ticket, reply_form)
        if done:
            return done
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
        "assignments": selectors.automatic_assignments(ticket),
        "reply_form": reply_form,
        "changes_form": changes_form,
        "macros": macros,
        "macro_result": macro_result,
        "macro_error": macro_error,
        "merged_into": selectors.merged_target_for(request.user, ticket),
    }
    failed = request.method == "POST" and macro_result is None
    return render(request, "tickets/agent/detail.html", context, status=422 if failed else 200)


def _apply_macro(
    request: HttpRequest, ticket: Ticket, form: AgentReplyForm
) -> tuple[AgentReplyForm, macros_module.Rendered | None, str]:
    """Fill the reply box with the chosen macro and stage its changes; nothing is sent yet.

    Returns the form to show, what the macro gave, and an error for the macro picker.
    """
    macro = selectors.macro_for(request.user, ticket, request.POST.get("macro", ""))
    if macro is None:
        kept = AgentReplyForm(initial={key: request.POST.get(key) for key in form.fields})
        return kept, None, _("Choose a macro to apply.")
    rendered = macros_module.render(macro.body, ticket, request.user)
    return AgentReplyForm.with_macro(request.POST, macro, rendered.body), rendered, ""


def _send_reply(request: HttpRequest, ticket: Ticket, form: AgentReplyForm) -> HttpResponse | None:
    data = form.cleaned_data
    reply = services.NewReply(
        author=request.user,
        body=data["body"],
        internal=data["internal"],
        status=data["status"] or None,
        files=data["files"],
    )
    try:
        services.reply_add_with_changes(ticket, reply, form.changes(request.user))
    except services.StorageFullError as error:
        return error_response(request, 507, str(error))
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("Your message was added."))
    return redirect("agent:detail", pk=ticket.pk)


@staff_view
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this request into another: choose it, check both side by side, confirm."""
    source = selectors.ticket_get_for(request.user, pk)
    form = MergeForm(request.POST or request.GET or None)
    target = None
    if form.is_bound and form.is_valid():
        target = selectors.merge_candidate_for(request.user, form.cleaned_data["into"])
        if target is None:
            form.add_error("into", _("No request with this number was found."))
    if request.method == "POST" and target is not None:
        try:
            services.ticket_merge(
                source,
                target,
                actor=request.user,
                across_organisations=form.cleaned_data["across_organisations"],
                request=request,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(source)s was merged into %(target)s.")
                % {"source": source.number, "target": target.number},
            )
            return redirect("agent:detail", pk=target.pk)
    context = {
        "ticket": source,
        "form": form,
        "target": target,
        "across_organisations": target is not None
        and target.organisation_id != source.organisation_id,
        "suggestions": selectors.merge_suggestions(request.user, source),
    }
    failed = form.is_bound and bool(form.errors)
    return render(request, "tickets/agent/merge.html", context, status=422 if failed else 200)


@staff_view
@require_http_methods(["GET", "POST"])
def my_macros(request: HttpRequest) -> HttpResponse:
    """The agent's personal macros: list, add, change (?edit=id) and delete."""
    editing = None
    edit = request.GET.get("edit") or request.POST.get("edit", "")
    if edit:
        editing = selectors.personal_macro_get(request.user, edit)
    if request.method == "POST" and "delete" in request.POST and editing is not None:
        services.personal_macro_delete(request.user, editing)
        messages.success(request, _("The macro was deleted."))
        return redirect("agent:macros")
    form = PersonalMacroForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = services.MacroFields(**{name: data[name] for name in form.Meta.fields})
        try:
            services.personal_macro_save(request.user, fields, editing)
        except (DomainError, ValidationError) as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The macro was saved."))
            return redirect("agent:macros")
    context = {
        "form": form,
        "editing": editing,
        "macros": selectors.personal_macros(request.user),
        "placeholders": sorted(macros_module.PLACEHOLDERS),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "tickets/agent/macros.html", context, status=status)


@staff_view
@require_POST
def away(request: HttpRequest) -> HttpResponse:
    """Set the signed-in agent away or available, then go back to the page they were on."""
    now_away = request.POST.get("away") == "1"
    availability.away_set(request.user, away=now_away, by=request.user)
    if now_away:
        messages.success(request, _("You are away: no new requests are assigned to you."))
    else:
        messages.success(request, _("You are available: new requests may be assigned to you."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("agent:queue")
    return redirect(back)
