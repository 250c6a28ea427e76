"""Credential flows are limited, answer 429 with Retry-After, and fail closed without the cache.

allauth counts attempts in the cache (ACCOUNT_RATE_LIMITS) and reports a limit either as a 429
of its own or as a form error at 200. This middleware gives both one shape: status 429 and a
Retry-After header. Because the counts live in the cache, a POST to a credential flow while the
cache is down is refused with 503 and Retry-After rather than let through uncounted; every
other page keeps working without the cache.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.core.errors import error_response

RETRY_AFTER_SECONDS = 300
CACHE_RETRY_AFTER_SECONDS = 30
RATE_LIMIT_ERROR = "too_many_login_attempts"


def _is_credential_post(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and request.path.startswith("/accounts/")
        and request.path != reverse("account_logout")
    )


def _rate_limited_form(response: TemplateResponse) -> bool:
    form = (response.context_data or {}).get("form")
    errors = getattr(form, "errors", None)
    if not errors:
        return False
    return any(
        error.code == RATE_LIMIT_ERROR
        for field_errors in errors.as_data().values()
        for error in field_errors
    )


class CredentialRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_credential_post(request) and not getattr(cache, "available", lambda: True)():
            response = error_response(
                request,
                503,
                _("Signing in is unavailable for a moment. Please try again shortly."),
            )
            response["Retry-After"] = str(CACHE_RETRY_AFTER_SECONDS)
            return response
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        if _is_credential_post(request) and _rate_limited_form(response):
            response.status_code = 429
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
