"""The customer's own account ("My account"): profile, notifications, data export, deletion.

Thin views: each checks who is asking, parses a form and calls one service in accounts.
"""

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.accounts import (
    account_forms,
    avatars,
    data_exports,
    deletion,
    deletion_signin,
    notifications,
    profile,
    selectors,
)
from madoguchi.accounts.models import DataExport, User
from madoguchi.core import access
from madoguchi.core.errors import DomainError, error_response
from madoguchi.core.middleware import request_size_limit

EXPORT_RETRY_AFTER_SECONDS = 24 * 60 * 60


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/self/overview.html")


def _profile_form(user: User, data: object = None) -> account_forms.ProfileForm:
    initial = {"name": user.name, "language": user.language, "time_zone": user.time_zone}
    return account_forms.ProfileForm(data, initial=initial)


def _profile_page(
    request: HttpRequest, form: object, avatar_form: object, status: int = 200
) -> HttpResponse:
    context = {"form": form, "avatar_form": avatar_form}
    return render(request, "accounts/self/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = _profile_form(user, request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _profile_page(request, form, account_forms.AvatarForm(), status=422)
        profile.profile_update(user, **form.cleaned_data)
        # The confirmation already speaks the language just chosen.
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        profile.language_cookie_set(response, user.language)
        return response
    return _profile_page(request, form, account_forms.AvatarForm())


@require_POST
@login_required
@request_size_limit(
    "AVATAR_MAX_BYTES", gettext_lazy("The picture is larger than %(limit)s. Choose a smaller one.")
)
def avatar_upload(request: HttpRequest) -> HttpResponse:
    form = account_forms.AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            picture = avatars.avatar_clean(form.cleaned_data["picture"])
        except avatars.AvatarError as error:
            form.add_error("picture", str(error))
        else:
            profile.avatar_replace(request.user, picture=picture)
            messages.success(request, _("Your picture has been saved."))
            return redirect("accounts:profile")
    return _profile_page(request, _profile_form(request.user), form, status=422)


@require_POST
@login_required
def avatar_remove(request: HttpRequest) -> HttpResponse:
    profile.avatar_remove(request.user)
    messages.success(request, _("Your picture has been removed."))
    return redirect("accounts:profile")


@access.object_view(User)
@require_GET
@login_required
def avatar(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve a person's picture to themselves, agents and members of their organisations."""
    person = access.get_visible_or_404(request.user, User, pk=pk)
    if not person.avatar:
        return redirect(static("img/avatar.svg"))
    response = FileResponse(person.avatar.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = account_forms.NotificationsForm(
        request.POST or None,
        initial_choices=notifications.preferences_for(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        notifications.preferences_set(request.user, enabled=form.enabled())
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("accounts:notifications")
    rows = [
        (event, [form[f"{event.key}__{channel}"] for channel in notifications.Channel.values])
        for event in notifications.event_types(request.user)
    ]
    context = {"form": form, "rows": rows, "channels": notifications.Channel.choices}
    return render(request, "accounts/self/notifications.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@reauthentication_required(allow_get=True)
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not ratelimit.consume(request, action="data_export", user=request.user):
            response = error_response(
                request, 429, _("You have asked for several exports today. Try again tomorrow.")
            )
            response["Retry-After"] = str(EXPORT_RETRY_AFTER_SECONDS)
            return response
        data_exports.data_export_request(request.user, request=request)
        messages.success(
            request, _("Your export is being prepared. You will get an email when it is ready.")
        )
        return redirect("accounts:data_export")
    context = {
        "exports": selectors.data_exports_for(request.user)[:10],
        "valid_days": settings.DATA_EXPORT_VALID_DAYS,
    }
    return render(request, "accounts/self/data_export.html", context)


@access.object_view(DataExport)
@never_cache
@require_GET
@login_required
def data_export_detail(request: HttpRequest, pk: str) -> HttpResponse:
    export = access.get_visible_or_404(request.user, DataExport, pk=pk)
    context = {"export": export, "problem": data_exports.data_export_problem(export)}
    return render(request, "accounts/self/data_export_detail.html", context)


@access.object_view(DataExport)
@never_cache
@require_GET
@login_required
def data_export_download(request: HttpRequest, pk: str) -> HttpResponse:
    export = access.get_visible_or_404(request.user, DataExport, pk=pk)
    try:
        file = data_exports.data_export_download(export, request=request)
    except data_exports.DataExportGoneError as error:
        context = {"export": export, "problem": str(error)}
        return render(request, "accounts/self/data_export_detail.html", context, status=410)
    name = f"personal-data-{export.created_at:%Y%m%d}.zip"
    return FileResponse(file, as_attachment=True, filename=name, content_type="application/zip")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@reauthentication_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = account_forms.DeleteAccountForm(request.POST or None, user_email=request.user.email)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deletion.account_deletion_request(request.user, request=request)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                logout(request)
                return redirect("accounts:deleted")
        status = 422
    context = {"form": form, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS}
    return render(request, "accounts/self/delete.html", context, status=status)


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    """Confirm, after signing out, that the account is closed and when it will be deleted."""
    context = {"grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS}
    return render(request, "accounts/self/deleted.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def deletion_pending(request: HttpRequest) -> HttpResponse:
    """Offer to restore an account waiting for deletion, to whoever just signed in to it."""
    user = deletion_signin.pending_user(request)
    if user is None:
        raise Http404
    if request.method == "POST":
        messages.success(request, _("Your account has been restored. Welcome back."))
        return deletion_signin.restore_and_sign_in(request, user)
    return render(request, "accounts/self/deletion_pending.html", {"pending_user": user})
