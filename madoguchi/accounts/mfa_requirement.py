"""Two-factor authentication where the policy demands it (issue 3, item 2).

An agent or admin must use it when the security policy says so; a customer when one of their
organisations does. Until such a person has enrolled an authenticator (an app or a security key;
recovery codes alone do not count), every page sends them to the TOTP setup page, which explains
why, and only setup, re-authentication, sign-out, the language switch and static files answer.
The admin is covered too, so an agent without a second factor cannot use it.

Once enrolled, the session remembers it and later requests cost no query. Removing one's last
authenticator forgets it; an admin's MFA reset ends every session anyway.
"""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from madoguchi.accounts import security_policy, selectors
from madoguchi.accounts.models import User

Handler = Callable[[HttpRequest], HttpResponse]

ENROLLED_SESSION_KEY = "mdg_mfa_enrolled"
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_required(user: User) -> bool:
    if user.is_staff and security_policy.current().staff_require_mfa:
        return True
    return any(place.requires_mfa for place in selectors.places_of(user))


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def _open_prefixes() -> tuple[str, ...]:
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        "/i18n/",
        "/healthz",
        "/favicon.ico",
        settings.STATIC_URL,
    )


class MfaRequirementMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.open_prefixes: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.session.get(ENROLLED_SESSION_KEY):
            return self.get_response(request)
        if not mfa_required(user):
            return self.get_response(request)
        if has_second_factor(user):
            request.session[ENROLLED_SESSION_KEY] = True
            return self.get_response(request)
        if self.open_prefixes is None:
            self.open_prefixes = _open_prefixes()
        request.mfa_enrolment_required = True  # the setup page shows why it is there
        if request.path.startswith(self.open_prefixes):
            return self.get_response(request)
        return redirect("mfa_activate_totp")


@receiver(authenticator_removed)
def forget_enrolment(request: HttpRequest | None, **_kwargs: object) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(ENROLLED_SESSION_KEY, None)
