"""Guards in front of the SSO return endpoints, which anybody on the Internet can reach.

The SAML ACS parses XML from the POST body: a body over MADOGUCHI_SAML_ACS_MAX_BYTES is refused
from its Content-Length before anything reads it (XML and XSLT denial of service, R39), and both
the ACS and the OpenID Connect callback are rate limited per address (429 with Retry-After).

The page that sends a person to their provider submits a form that is answered with a redirect
to the provider; browsers hold such redirects to the page's CSP form-action, so that page (ours,
with no user content) allows the providers' origins.
"""

from collections.abc import Callable

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from madoguchi.core.errors import error_response

ACS_ROUTE = "saml_acs"
CALLBACK_ROUTES = frozenset(
    {ACS_ROUTE, "openid_connect_callback", "google_callback", "microsoft_callback"}
)
LOGIN_ROUTES = frozenset({"openid_connect_login", "saml_login", "google_login", "microsoft_login"})
RATE_LIMIT_ACTION = "sso_callback"
RETRY_AFTER_SECONDS = 60


def _route_name(request: HttpRequest) -> str:
    if not request.path_info.startswith("/accounts/"):
        return ""
    try:
        return resolve(request.path_info).url_name or ""
    except Resolver404:
        return ""


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class SsoCallbackGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        route = _route_name(request)
        if route in LOGIN_ROUTES:
            response = self.get_response(request)
            response._csp_config = {
                **settings.SECURE_CSP,
                "form-action": [*settings.SECURE_CSP["form-action"], *settings.SSO_FORM_ACTION],
            }
            return response
        if route not in CALLBACK_ROUTES:
            return self.get_response(request)
        if route == ACS_ROUTE and _content_length(request) > settings.SAML_ACS_MAX_BYTES:
            return error_response(request, 413, _("The sign-in response is too large."))
        allowed = ratelimit.consume(
            request, app="allauth.account", action=RATE_LIMIT_ACTION, limit_get=True
        )
        if not allowed:
            response = error_response(
                request, 429, _("Too many sign-in attempts. Please wait a minute and try again.")
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return self.get_response(request)
