from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from madoguchi.core.errors import error_response, wants_json
from madoguchi.core.health import run_checks


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Point browsers asking for /favicon.ico (the admin, JSON responses) at our icon."""
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency; 503 when one is down, so a load balancer takes the node out."""
    checks = run_checks()
    healthy = all(result["status"] == "ok" for result in checks.values())
    status = "ok" if healthy else "down"
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Answer while the process can serve at all; dependencies are /healthz's business."""
    return JsonResponse({"status": "ok"})


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer a rate limit (allauth calls the URLconf's handler429)."""
    response = error_response(
        request, 429, _("Too many attempts in a short time. Please wait a few minutes.")
    )
    response["Retry-After"] = "300"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if type(exception).__name__ in {"RequestDataTooBig", "TooManyFilesSent", "TooManyFieldsSent"}:
        return error_response(request, 413, _("The request is larger than this server accepts."))
    return error_response(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 403, _("You do not have permission to see this page."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if reason == REASON_NO_CSRF_COOKIE:
        detail = _("Your browser did not send the security cookie. Allow cookies and try again.")
    else:
        detail = _("The form had expired or came from another site. Reload the page and try again.")
    return error_response(request, 403, detail)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 404, _("There is no page at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the 500 page without the request context: whatever failed may fail again."""
    if wants_json(request):
        return JsonResponse(
            {"status": 500, "detail": _("Something went wrong on our side.")}, status=500
        )
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
