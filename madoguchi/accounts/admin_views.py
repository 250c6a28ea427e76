"""Admin pages of the user list: bulk import from CSV (upload, preview, confirm, progress) and
export to CSV. Reached through UserAdmin.get_urls, so the admin site's staff check comes first."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from madoguchi.accounts import approvals, selectors, user_export, user_import
from madoguchi.accounts.models import UserImport
from madoguchi.core.errors import DomainError

SESSION_KEY = "mdg_user_imports"
SESSION_KEEP = 10
ROWS_PER_PAGE = 200

OUTCOME_LABELS = {
    user_import.INVITE: _("Will invite"),
    user_import.ADD_MEMBERSHIP: _("Will add to the organisation"),
    user_import.NOTHING: _("Already done: nothing to do"),
    user_import.ERROR: _("Error: not imported"),
}
RESULT_LABELS = {
    user_import.INVITE: _("Invited"),
    user_import.ADD_MEMBERSHIP: _("Added to an organisation"),
    user_import.NOTHING: _("Already done: nothing to do"),
    user_import.ERROR: _("Rows with errors, not imported"),
}


class UserImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name, email, organisation (slug or exact name), role (member or admin), "
            "language (en or ja). Japanese headers are accepted: 名前, メールアドレス, 組織, 役割, "
            "言語. UTF-8 or Shift_JIS."
        ),
    )
    create_organisations = forms.BooleanField(
        label=_("Create missing organisations"),
        required=False,
        help_text=_("Otherwise a row naming an unknown organisation is an error."),
    )


def _require(request: HttpRequest, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _context(request: HttpRequest, model_admin: admin.ModelAdmin, **extra: Any) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def _own_preview(request: HttpRequest, import_id: UUID) -> UserImport:
    """The import, if this session uploaded it: a preview's id is never trusted on its own."""
    job = selectors.user_import_get_for(request.user, import_id)
    if str(job.pk) not in request.session.get(SESSION_KEY, []):
        raise Http404
    return job


def import_upload(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Take a CSV file and show its preview; nothing is imported yet."""
    _require(request, model_admin.has_add_permission(request))
    form = UserImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        brand = getattr(request, "brand", None)
        try:
            job = user_import.user_import_preview(
                upload=form.cleaned_data["file"],
                create_organisations=form.cleaned_data["create_organisations"],
                actor=request.user,
                brand_name=brand.name if brand else "",
            )
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            kept = [*request.session.get(SESSION_KEY, []), str(job.pk)]
            request.session[SESSION_KEY] = kept[-SESSION_KEEP:]
            return redirect("admin:accounts_user_import_preview", job.pk)
    context = _context(request, model_admin, form=form, title=_("Import users"))
    status = 422 if form.errors else 200
    return render(request, "admin/accounts/user/import_upload.html", context, status=status)


def import_preview(
    request: HttpRequest, model_admin: admin.ModelAdmin, import_id: UUID
) -> HttpResponse:
    """Show every row with what it will do, the totals, and the button that confirms."""
    _require(request, model_admin.has_add_permission(request))
    job = _own_preview(request, import_id)
    if job.status != UserImport.Status.PREVIEWED:
        return redirect("admin:accounts_user_import_status", job.pk)
    errors_only = request.GET.get("show") == "errors"
    rows = [row for row in job.rows if not errors_only or row["outcome"] == user_import.ERROR]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = _context(
        request,
        model_admin,
        title=_("Preview of the import"),
        job=job,
        page=page,
        rows=[_display(row) for row in page],
        errors_only=errors_only,
        totals=[(OUTCOME_LABELS[key], job.planned.get(key, 0)) for key in OUTCOME_LABELS],
        actionable=job.planned.get(user_import.INVITE, 0)
        + job.planned.get(user_import.ADD_MEMBERSHIP, 0),
        expired=job.expires_at <= timezone.now(),
    )
    return render(request, "admin/accounts/user/import_preview.html", context)


def _display(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "label": OUTCOME_LABELS[row["outcome"]],
        "messages": user_import.row_messages(row),
    }


@require_POST
def import_confirm(
    request: HttpRequest, model_admin: admin.ModelAdmin, import_id: UUID
) -> HttpResponse:
    """Queue the import; the rows come from the stored preview, never from the form."""
    _require(request, model_admin.has_add_permission(request))
    job = _own_preview(request, import_id)
    try:
        user_import.user_import_confirm(job, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("admin:accounts_user_import")
    return redirect("admin:accounts_user_import_status", job.pk)


def import_status(
    request: HttpRequest, model_admin: admin.ModelAdmin, import_id: UUID
) -> HttpResponse:
    """Show the progress and outcome of a confirmed import; htmx polls the progress part."""
    _require(request, model_admin.has_add_permission(request))
    job = selectors.user_import_get_for(request.user, import_id)
    total = len(job.rows)
    context = _context(
        request,
        model_admin,
        title=_("Import of users"),
        job=job,
        total=total,
        done=job.status in {UserImport.Status.FINISHED, UserImport.Status.FAILED},
        counts=[(RESULT_LABELS[key], job.result.get(key, 0)) for key in RESULT_LABELS],
    )
    template = "admin/accounts/user/import_status.html"
    if request.headers.get("HX-Request"):
        template += "#progress"
    return render(request, template, context)


def export(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Download the users the changelist shows with the same filters and search, as CSV."""
    _require(request, model_admin.has_view_permission(request))
    try:
        users = model_admin.get_changelist_instance(request).get_queryset(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest(_("The filters of the user list are not valid."))
    return user_export.user_export_response(
        users, request=request, selection=request.GET.urlencode()
    )


def decide_registrations(
    request: HttpRequest, model_admin: Any, queryset: Any, *, approve: bool
) -> HttpResponse | None:
    """Ask to confirm the decision for the selected people, then approve or reject them.

    Each decided person is mailed in their language and the decision audited (approvals.py).
    """
    if request.POST.get("confirmed") != "yes":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "people": list(queryset.order_by("email")),
            "approve": approve,
            "action": "approve_users" if approve else "reject_users",
            "title": _("Approve registrations") if approve else _("Reject registrations"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/accounts/user/approval_confirm.html", context)
    decide = approvals.user_approve if approve else approvals.user_reject
    decided = sum(decide(person, by=request.user, request=request) for person in queryset)
    if approve:
        done = ngettext(
            "%(count)d registration approved.", "%(count)d registrations approved.", decided
        )
    else:
        done = ngettext(
            "%(count)d registration rejected.", "%(count)d registrations rejected.", decided
        )
    model_admin.message_user(request, done % {"count": decided}, messages.SUCCESS)
    return None
