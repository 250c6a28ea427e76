from collections.abc import Callable

from django.http import HttpRequest

from madoguchi.accounts import inbox, selectors


def organisation_admin(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """Tell templates whether to link the organisation pages; asked only when a page uses it."""

    def administers_an_organisation() -> bool:
        user = getattr(request, "user", None)
        return user is not None and selectors.administers_any(user)

    return {"administers_an_organisation": administers_an_organisation}


def notification_bell(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """Give templates the unread count for the bell; counted only when a page shows it."""

    def unread_notifications() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return inbox.unread_count(user)

    return {"unread_notifications": unread_notifications}
