"""A person's sessions: allauth lists them, we record their activity and let people end them."""

import time
from collections.abc import Callable

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from madoguchi.core import audit

USER_AGENT_LENGTH = UserSession._meta.get_field("user_agent").max_length


def end_session(request: HttpRequest, session: UserSession) -> None:
    """Sign the session out; it must not be the current one (that is signing out)."""
    if session.session_key == request.session.session_key:
        raise ValueError("The current session ends by signing out.")
    get_adapter().end_sessions([session])
    audit.record(
        "auth.session.ended",
        request=request,
        data={"ip": session.ip, "user_agent": session.user_agent[:120]},
    )


def end_other_sessions(request: HttpRequest | None, user: object) -> int:
    """End every session of user's but the one making this request; return how many ended."""
    current = request.session.session_key if request is not None else None
    others = [s for s in UserSession.objects.filter(user=user) if s.session_key != current]
    if others:
        get_adapter().end_sessions(others)
    return len(others)


class SessionActivityMiddleware:
    """Record where and when each session was last seen, at most once a minute while unchanged.

    Replaces allauth's UserSessionsMiddleware, which writes the session's row in a transaction on
    every signed-in request: on SQLite that serialised every page view behind the write lock.
    The row is still written at once for a new session or when its address or browser changes
    (allauth's session_client_changed signal fires then), and otherwise when the last write is
    older than USERSESSIONS_ACTIVITY_SECONDS; the sessions page shows "last seen" to that grain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.session.session_key
        if key and request.user.is_authenticated:
            _track(request, key)
        return self.get_response(request)


def _track(request: HttpRequest, session_key: str) -> None:
    client = [
        get_account_adapter().get_client_ip(request),
        request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    ]
    remembered = f"usersession-seen:{session_key}"
    now = time.time()
    seen = cache.get(remembered)  # [address, browser, when the row was written]
    interval = settings.USERSESSIONS_ACTIVITY_SECONDS
    if seen and seen[:2] == client and now - seen[2] < interval:
        return
    UserSession.objects.create_from_request(request)
    cache.set(remembered, [*client, now], interval)
