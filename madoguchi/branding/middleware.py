from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from madoguchi.branding.services import brand_for_host


class BrandMiddleware:
    """Attach request.brand, the brand answering on the request's host."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.brand = brand_for_host(request.get_host())
        return self.get_response(request)
