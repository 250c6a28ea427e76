"""One place decides what a person may see. Every customer-facing query is scoped here.

Apps register a scope per model: a function narrowing a queryset to what a user may see. Views
fetch objects through get_visible_or_404, so an object outside the scope — another organisation's
or another person's — answers 404, exactly like one that does not exist, never 403.

Scopes are for signed-in people: for anyone else visible() answers nothing. A model whose rows
may be public (knowledge-base articles) registers with `anonymous=True`; its scope is then also
asked about visitors, receives an AnonymousUser and must narrow to what is public. Every other
model stays closed to visitors whatever its scope says.

Views that take an object id in their URL declare it with @object_view(Model) and views whose URL
carries a secret token with @capability_view; tests/test_access.py walks every URL pattern and
proves the 404 for each, so a new route without a declaration fails the suite.
"""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

Scope = Callable[[Any, QuerySet[Any]], QuerySet[Any]]
View = TypeVar("View", bound=Callable[..., Any])

_scopes: dict[type[Model], Scope] = {}
_open_to_visitors: set[type[Model]] = set()


def register(model: type[Model], scope: Scope, *, anonymous: bool = False) -> None:
    """Declare how model's rows are narrowed to what a user may see.

    anonymous=True lets the scope answer for visitors who are not signed in (and for deactivated
    accounts, which are treated as visitors); it must then handle an AnonymousUser.
    """
    _scopes[model] = scope
    if anonymous:
        _open_to_visitors.add(model)
    else:
        _open_to_visitors.discard(model)


def registered_models() -> list[type[Model]]:
    return list(_scopes)


def visible[M: Model](user: Any, source: type[M] | QuerySet[M]) -> QuerySet[M]:
    """Return the rows of source the user may see; fail closed for an unregistered model."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    scope = _scopes.get(queryset.model)
    if scope is None:
        raise ImproperlyConfigured(f"No access scope is registered for {queryset.model.__name__}")
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        if queryset.model not in _open_to_visitors:
            return queryset.none()
        return scope(AnonymousUser(), queryset)
    return scope(user, queryset)


def get_visible_or_404[M: Model](user: Any, source: type[M] | QuerySet[M], **lookup: Any) -> M:
    """Fetch one object the user may see; anything else is a 404, as if it did not exist."""
    queryset = visible(user, source)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def object_view(
    model: type[Model], *, url_kwargs: Callable[[Any], dict[str, Any]] | None = None
) -> Callable[[View], View]:
    """Mark a view whose URL names an object of model (for the 404 test).

    url_kwargs turns an object into the view's URL kwargs; the default is {"pk": obj.pk}.
    """

    def mark(view: View) -> View:
        view.access_object = (model, url_kwargs or _pk_kwargs)  # type: ignore[attr-defined]
        return view

    return mark


def _pk_kwargs(obj: Model) -> dict[str, Any]:
    return {"pk": obj.pk}


def staff_view[View: Callable[..., Any]](view: View) -> View:
    """Open the view to active agents only: customers get 404, as if it did not exist (R7).

    Visitors who are not signed in are sent to sign in first.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_staff and user.is_active):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.access_staff = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def capability_view[View: Callable[..., Any]](view: View) -> View:
    """Mark a view whose URL carries a secret token (an invitation, a download link)."""
    view.access_capability = True  # type: ignore[attr-defined]
    return view
