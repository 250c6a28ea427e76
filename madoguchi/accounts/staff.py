"""The staff area (the admin) does not exist for customers: they get 404, like any unknown page.

Visitors who are not signed in are sent to the portal's own sign-in (with its MFA and rate
limits), never to a separate admin login form.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse


class StaffAreaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        user = request.user
        in_staff_area = request.path.startswith(self.prefix)
        if in_staff_area and user.is_authenticated and not (user.is_staff and user.is_active):
            raise Http404
        return self.get_response(request)
