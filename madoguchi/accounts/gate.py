"""The portal's front door: who may see its content at all, decided before any view runs.

Two rules, both from the brand and the person rather than from any one page:
- a brand whose content requires sign-in sends anonymous visitors to the sign-in page;
- a customer whose registration waits for approval (or was rejected) sees only the page that
  says so, whatever address they open.
The pages that get people in (sign-in, sign-up, reset, verification, invitations), the language
switch, static files and health checks stay reachable, or nobody could ever pass.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from madoguchi.accounts import scopes

Handler = Callable[[HttpRequest], HttpResponse]


def _open_prefixes() -> tuple[str, ...]:
    return (
        "/accounts/",
        "/invitations/",
        "/i18n/",
        "/healthz",
        "/favicon.ico",
        "/robots.txt",
        reverse("admin:index"),
        settings.STATIC_URL,
    )


class AccessGateMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.open_prefixes: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.open_prefixes is None:
            self.open_prefixes = _open_prefixes()
        if request.path.startswith(self.open_prefixes):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            brand = getattr(request, "brand", None)
            if brand is not None and brand.content_requires_sign_in:
                return redirect_to_login(request.get_full_path())
        elif not scopes.may_use_portal(user):
            return redirect("account_approval")
        return self.get_response(request)
