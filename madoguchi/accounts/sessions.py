"""Ending one of a person's sessions (allauth lists them; we let people end them one by one)."""

from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.http import HttpRequest

from madoguchi.core import audit


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
