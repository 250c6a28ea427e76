"""Errors: the domain error type, and error replies as a page or as JSON for the API."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

API_PREFIX = "/api/"


class DomainError(Exception):
    """A rule of the domain was broken; the message is translated and safe to show."""


def wants_json(request: HttpRequest) -> bool:
    """Tell whether an error for this request should be JSON rather than a page."""
    return request.path.startswith(API_PREFIX)


def error_response(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    """Render an error as JSON for the API, or as the error page in the viewer's language."""
    if wants_json(request):
        return JsonResponse({"status": status, "detail": str(reason)}, status=status)
    template = loader.select_template([f"errors/{status}.html", "errors/generic.html"])
    body = template.render({"status": status, "reason": reason}, request)
    return HttpResponse(body, status=status)
