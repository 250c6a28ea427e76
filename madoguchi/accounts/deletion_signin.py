"""Signing in to an account that waits for deletion: the password is proven, then a choice.

allauth refuses an inactive account at pre_login; for one waiting for deletion the adapter
remembers here, for a few minutes, that its password was just proven, so the next page can offer
to restore it. Restoring goes on with allauth's normal sign-in (second factor included).
"""

import time

from allauth.account import app_settings
from allauth.account.utils import perform_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from madoguchi.accounts import deletion, selectors
from madoguchi.accounts.models import User

SESSION_KEY = "mdg_deletion_pending"


def remember(request: HttpRequest, user: User) -> None:
    request.session[SESSION_KEY] = {"user": user.pk, "at": time.time()}


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def pending_user(request: HttpRequest) -> User | None:
    """Return the account proven at sign-in moments ago that can still be restored, or None."""
    marker = request.session.get(SESSION_KEY)
    if (
        not isinstance(marker, dict)
        or time.time() - marker.get("at", 0) > app_settings.LOGIN_TIMEOUT
    ):
        return None
    user = selectors.user_get(marker.get("user"))
    return user if user is not None and deletion.deletion_pending(user) else None


def restore_and_sign_in(request: HttpRequest, user: User) -> HttpResponse:
    """Cancel the deletion and carry on signing in, through allauth's remaining stages."""
    deletion.account_deletion_cancel(user, request=request)
    forget(request)
    return perform_login(
        request,
        user,
        email_verification=app_settings.EMAIL_VERIFICATION,
        redirect_url=reverse("accounts:overview"),
    )
