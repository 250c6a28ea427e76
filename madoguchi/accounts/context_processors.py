from collections.abc import Callable

from django.http import HttpRequest

from madoguchi.accounts import selectors


def organisation_admin(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """Tell templates whether to link the organisation pages; asked only when a page uses it."""

    def administers_an_organisation() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return selectors.organisations_administered_by(user).exists()

    return {"administers_an_organisation": administers_an_organisation}
