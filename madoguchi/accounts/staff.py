"""The staff area (the admin and the agent workspace) does not exist for customers: they get 404, like any unknown page.

Visitors who are not signed in are sent to the portal's own sign-in (with its MFA and rate
limits), never to a separate admin login form.

When the security policy has an IP allowlist, requests to the staff area (the admin, and every
view declared with core.access.staff_view, such as the agent pages) from any other address also
get 404, whoever sends them. A 404 rather than a 403: from outside the office network the
admin should look like it does not exist, so it tells a scanner (or someone holding a stolen
session) nothing. The address is the one the trusted proxies report (core.http.client_ip).
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from madoguchi.accounts import security_policy

# The areas behind the counter, by URL name; an app that is not installed adds none.
STAFF_AREAS = ("admin:index", "agent:queue")


def staff_area_prefixes() -> tuple[str, ...]:
    prefixes = []
    for name in STAFF_AREAS:
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefixes)


class StaffAreaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.prefixes is None:
            self.prefixes = staff_area_prefixes()
        if request.path.startswith(self.prefixes):
            user = request.user
            if user.is_authenticated and not (user.is_staff and user.is_active):
                raise Http404
            if not security_policy.request_allowed_into_staff_area(request):
                raise Http404
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: object
    ) -> None:
        staff_route = getattr(view_func, "access_staff", False)
        if staff_route and not security_policy.request_allowed_into_staff_area(request):
            raise Http404
