"""Request plumbing: request ids, early size limits, the viewer's time zone."""

import re
import uuid
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from madoguchi.core.errors import error_response
from madoguchi.core.logging import request_id_var
from madoguchi.core.memo import request_memo

Handler = Callable[[HttpRequest], HttpResponse]
View = TypeVar("View", bound=Callable[..., Any])
# Room for the other fields and the multipart boundaries around a file of the allowed size.
FORM_OVERHEAD_BYTES = 64 * 1024

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TIMEZONE_COOKIE = "mdg_tz"


class RequestIdMiddleware:
    """Give every request an id (the proxy's X-Request-ID when well formed) for logs and replies.

    It also opens the request's memo (core.memo) around everything else.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            with request_memo():
                response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def request_size_limit(setting: str, message: Promise) -> Callable[[View], View]:
    """Mark a view whose file uploads may be at most settings.<setting> bytes.

    RequestSizeLimitMiddleware refuses a larger body from its Content-Length before any view or
    the CSRF check reads it, with status 413 and message (which may use %(limit)s).
    """

    def mark(view: View) -> View:
        view.request_size_limit = (setting, message)  # type: ignore[attr-defined]
        return view

    return mark


def _content_length(request: HttpRequest) -> int:
    return int(request.META.get("CONTENT_LENGTH") or 0)


class RequestSizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BYTES (or the view's own limit) before reading it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = _content_length(request)
        except ValueError:
            return error_response(request, 400, _("The Content-Length header is not a number."))
        if length > settings.MAX_REQUEST_BYTES:
            return error_response(
                request, 413, _("The request is larger than this server accepts.")
            )
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], *_args: object
    ) -> HttpResponse | None:
        marker = getattr(view, "request_size_limit", None)
        if marker is None:
            return None
        setting, message = marker
        limit = getattr(settings, setting)
        if _content_length(request) > limit + FORM_OVERHEAD_BYTES:
            return error_response(request, 413, str(message) % {"limit": filesizeformat(limit)})
        return None


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def viewer_time_zone(request: HttpRequest) -> str | None:
    """Return the viewer's IANA time zone: their profile's, else the one their browser reported."""
    user = getattr(request, "user", None)
    preferred = getattr(user, "time_zone", "") if user and user.is_authenticated else ""
    for name in (preferred, unquote(request.COOKIES.get(TIMEZONE_COOKIE, ""))):
        if name and name in _known_time_zones():
            return name
    return None


class TimezoneMiddleware:
    """Show times in the viewer's time zone; fall back to the portal's TIME_ZONE."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = viewer_time_zone(request)
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
