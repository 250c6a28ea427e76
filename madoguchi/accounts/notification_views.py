"""The notification centre: a person's own notifications, newest first; reading marks them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts import inbox, notifications
from madoguchi.accounts.models import Notification
from madoguchi.core.access import object_view

PAGE_SIZE = 20


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(notification, notifications.text_of(notification)) for notification in page]
    return render(request, "accounts/notifications/list.html", {"page": page, "rows": rows})


@object_view(Notification)
@require_GET
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link."""
    notification = inbox.notification_get_for(request.user, pk)
    inbox.notification_read(notification)
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "notifications:list"
    return redirect(target)


@object_view(Notification)
@require_POST
@login_required
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    inbox.notification_read(inbox.notification_get_for(request.user, pk))
    return redirect(_back(request))


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = inbox.notifications_read_all(request.user)
    messages.success(request, _("%(count)d notifications were marked as read.") % {"count": count})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    listing = reverse("notifications:list")
    return f"{listing}?page={page}" if page.isdigit() else listing
