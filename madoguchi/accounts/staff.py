"""The staff area (the admin) does not exist for customers: they get 404, like any unknown page.

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
from django.urls import reverse

from madoguchi.accounts import security_policy


class StaffAreaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path.startswith(self.prefix):
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
