"""What an admin does to an account when it may be compromised or must stop working.

Each action ends every session and open WebSocket of the person at once (R21), records one
audit entry, and runs in one transaction, so a failure leaves the account as it was.
"""

from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as get_sessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.accounts.audit_receivers import organisation_of
from madoguchi.accounts.models import User
from madoguchi.core import audit
from madoguchi.core.errors import DomainError
from madoguchi.core.realtime import close_user_sockets


class SelfDeactivationError(DomainError):
    def __init__(self) -> None:
        super().__init__(_("You cannot deactivate your own account."))


def end_all_sessions(user: User) -> int:
    """Sign the person out everywhere and close their sockets; return how many sessions ended."""
    sessions = list(UserSession.objects.filter(user=user))
    if sessions:
        get_sessions_adapter().end_sessions(sessions)
    close_user_sockets(user.pk)
    return len(sessions)


def _audit(action: str, user: User, by: User, request: HttpRequest | None, **data: object) -> None:
    audit.record(
        action,
        request=request,
        actor=by,
        target=user,
        organisation=organisation_of(user),
        data=data,
    )


def force_password_reset(user: User, *, by: User, request: HttpRequest) -> None:
    """Make the password unusable, sign the person out, and mail them a reset link.

    The mail speaks the person's language; the link is the one allauth's own reset sends.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
        ended = end_all_sessions(locked)
        _audit("admin.user.password_reset_forced", locked, by, request, sessions_ended=ended)
    email = EmailAddress.objects.get_primary_email(locked) or locked.email
    with translation.override(locked.language or settings.LANGUAGE_CODE):
        request_password_reset(request, email, [locked], None)


def reset_mfa(user: User, *, by: User, request: HttpRequest | None = None) -> None:
    """Remove every second factor (the person enrols again) and sign them out everywhere."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        authenticators = Authenticator.objects.filter(user=locked)
        types = sorted(authenticators.values_list("type", flat=True))
        authenticators.delete()
        ended = end_all_sessions(locked)
        _audit("admin.user.mfa_reset", locked, by, request, removed=types, sessions_ended=ended)


def deactivate(user: User, *, by: User, request: HttpRequest | None = None) -> bool:
    """Stop the person from signing in and end their access now; False if already inactive."""
    if user.pk == by.pk:
        raise SelfDeactivationError
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return False
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        ended = end_all_sessions(locked)
        _audit("admin.user.deactivated", locked, by, request, sessions_ended=ended)
    return True


def reactivate(user: User, *, by: User, request: HttpRequest | None = None) -> bool:
    """Let the person sign in again; False if already active."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            return False
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _audit("admin.user.reactivated", locked, by, request)
    return True
