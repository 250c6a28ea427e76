"""What ends a person's access also closes their open WebSockets at once (R21).

Page sessions end through allauth (sessions.py, the usersessions adapter) or Django's session auth
hash; sockets authenticate only when they connect, so each of those events closes them here.
"""

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from madoguchi.accounts.models import Membership, User
from madoguchi.core.realtime import close_session_sockets, close_user_sockets


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """Ending sessions from the sessions page (or after a factor change) closes their sockets."""

    def end_sessions(self, sessions: Any) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        close_session_sockets(session.session_key for session in sessions)


@receiver(user_logged_out)
def close_sockets_of_signed_out_session(request: Any, **_kwargs: object) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        close_session_sockets([session.session_key])


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def close_sockets_on_new_password(user: User, **_kwargs: object) -> None:
    close_user_sockets(user.pk)


@receiver(pre_save, sender=User)
def _remember_active_flag(
    instance: User, update_fields: frozenset[str] | None = None, **_kwargs: object
) -> None:
    if instance.pk is not None and (update_fields is None or "is_active" in update_fields):
        previous = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        instance._was_active = bool(previous)  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def close_sockets_of_deactivated_user(instance: User, created: bool, **_kwargs: object) -> None:
    if not created and getattr(instance, "_was_active", False) and not instance.is_active:
        close_user_sockets(instance.pk)


@receiver(post_delete, sender=Membership)
def close_sockets_of_removed_member(instance: Membership, **_kwargs: object) -> None:
    close_user_sockets(instance.user_id)
