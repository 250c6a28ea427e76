"""Security events of allauth and Django written to the audit log (RELIABILITY R35).

One receiver per event, each writing exactly one entry. Changes made in the Django admin (staff
flags, roles) are recorded by the admin's save hooks instead, so a change is never written twice.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import (
    email_added,
    email_changed,
    email_confirmed,
    email_removed,
    password_changed,
    password_reset,
    password_set,
    user_logged_in,
)
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from madoguchi.accounts.models import Organisation, User
from madoguchi.core import audit

# A mistyped identifier is sometimes a password typed in the wrong box: keep only its start.
LOGIN_IDENTIFIER_MAX = 64


def organisation_of(user: User | None) -> Organisation | None:
    """The person's organisation when they belong to exactly one; else None (not known)."""
    if user is None or not user.pk:
        return None
    organisations = list(Organisation.objects.filter(memberships__user=user)[:2])
    return organisations[0] if len(organisations) == 1 else None


def _record(action: str, request: HttpRequest | None, user: User | None, **extra: Any) -> None:
    audit.record(action, request=request, actor=user, organisation=organisation_of(user), **extra)


@receiver(user_logged_in)
def audit_sign_in(request: HttpRequest, user: User, **_kwargs: object) -> None:
    _record("auth.login", request, user, target=user)


@receiver(user_login_failed)
def audit_failed_sign_in(
    credentials: dict[str, Any], request: HttpRequest | None = None, **_kwargs: object
) -> None:
    # Only the identifier typed: never the password, even the masked one Django passes.
    identifier = str(credentials.get("email") or credentials.get("username") or "")
    known = User.objects.filter(email__iexact=identifier).first() if identifier else None
    audit.record(
        "auth.login.failed",
        request=request,
        actor=None,
        target=known,
        organisation=organisation_of(known),
        data={"login": identifier[:LOGIN_IDENTIFIER_MAX]},
    )


@receiver(user_logged_out)
def audit_sign_out(request: HttpRequest, user: User | None, **_kwargs: object) -> None:
    if user is not None:
        _record("auth.logout", request, user, target=user)


def _authenticator_data(authenticator: Authenticator | None) -> dict[str, Any]:
    return {"type": authenticator.type} if authenticator is not None else {}


@receiver(authenticator_added)
def audit_authenticator_added(
    request: HttpRequest, user: User, authenticator: Authenticator | None = None, **_kw: object
) -> None:
    _record("mfa.added", request, user, target=user, data=_authenticator_data(authenticator))


@receiver(authenticator_removed)
def audit_authenticator_removed(
    request: HttpRequest, user: User, authenticator: Authenticator | None = None, **_kw: object
) -> None:
    _record("mfa.removed", request, user, target=user, data=_authenticator_data(authenticator))


@receiver(authenticator_reset)
def audit_recovery_codes_regenerated(
    request: HttpRequest, user: User, authenticator: Authenticator | None = None, **_kw: object
) -> None:
    _record(
        "mfa.recovery_codes_regenerated",
        request,
        user,
        target=user,
        data=_authenticator_data(authenticator),
    )


@receiver(password_changed)
def audit_password_changed(request: HttpRequest, user: User, **_kwargs: object) -> None:
    _record("auth.password.changed", request, user, target=user)


@receiver(password_set)
def audit_password_set(request: HttpRequest, user: User, **_kwargs: object) -> None:
    _record("auth.password.set", request, user, target=user)


@receiver(password_reset)
def audit_password_reset(request: HttpRequest, user: User, **_kwargs: object) -> None:
    _record("auth.password.reset", request, user, target=user)


@receiver(email_added)
def audit_email_added(
    request: HttpRequest, user: User, email_address: EmailAddress, **_kwargs: object
) -> None:
    _record("email.added", request, user, target=user, data={"email": email_address.email})


@receiver(email_removed)
def audit_email_removed(
    request: HttpRequest, user: User, email_address: EmailAddress, **_kwargs: object
) -> None:
    _record("email.removed", request, user, target=user, data={"email": email_address.email})


@receiver(email_changed)
def audit_email_changed(
    request: HttpRequest,
    user: User,
    from_email_address: EmailAddress | None,
    to_email_address: EmailAddress,
    **_kwargs: object,
) -> None:
    previous = from_email_address.email if from_email_address is not None else ""
    data = {"from": previous, "to": to_email_address.email}
    _record("email.changed", request, user, target=user, data=data)


@receiver(email_confirmed)
def audit_email_confirmed(
    request: HttpRequest, email_address: EmailAddress, **_kwargs: object
) -> None:
    user = email_address.user
    _record("email.confirmed", request, user, target=user, data={"email": email_address.email})


@receiver(authentication_failed)
def audit_failed_second_factor(
    request: HttpRequest, user: User, authenticator: Authenticator | None = None, **_kw: object
) -> None:
    _record("auth.mfa.failed", request, user, target=user, data=_authenticator_data(authenticator))
