"""/api/v1/: the REST API (django-ninja), its OpenAPI description and its error format.

Signed-in portal users call it with their session (and the CSRF token for writes). Routes that
name an object are marked like the portal's views, so the 404 test covers them too.
"""

import functools
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from madoguchi.api.errors import ApiError, handle_api_error, ninja_errors, problem
from madoguchi.api.kb import router as kb_router
from madoguchi.api.requests import router as requests_router
from madoguchi.api.search import router as search_router
from madoguchi.core.access import object_view
from madoguchi.kb.models import Article
from madoguchi.tickets.models import Ticket

api = NinjaAPI(
    title="Madoguchi API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
)
api.add_router("/requests", requests_router)
api.add_router("/search", search_router)
api.add_router("/kb", kb_router)
api.exception_handler(ApiError)(handle_api_error)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(404, _("Not found."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem(401, _("Sign in first."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja's own refusals, such as a body that is not JSON (400).
    return problem(error.status_code, str(error))


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    return problem(422, _("The request is not valid."), ninja_errors(error.errors))


# Which object each route with an id names, and by which argument (for tests/test_access.py).
NAMES_OBJECT = {
    "requests/<int:ticket_id>": (Ticket, "ticket_id"),
    "requests/<int:ticket_id>/messages": (Ticket, "ticket_id"),
    "kb/articles/<article_id>": (Article, "article_id"),
}


def _marked(entry: Any) -> Any:
    named = NAMES_OBJECT.get(str(getattr(entry, "pattern", "")))
    if not isinstance(entry, URLPattern) or named is None:
        return entry
    model, argument = named
    callback = functools.wraps(entry.callback)(lambda *args, **kw: entry.callback(*args, **kw))
    callback.csrf_exempt = True  # type: ignore[attr-defined]  # django_auth checks CSRF itself
    marked = object_view(model, url_kwargs=lambda obj: {argument: obj.pk})(callback)
    return path(str(entry.pattern), marked, name=entry.name)


patterns, _app, _namespace = api.urls
app_name = "api"
urlpatterns = [_marked(entry) for entry in patterns]
