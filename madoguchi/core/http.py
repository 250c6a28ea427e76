"""Facts about the client behind a request, read the same way everywhere."""

import ipaddress
from collections.abc import Container

from django.conf import settings
from django.http import HttpRequest

USER_AGENT_MAX = 300


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    With N trusted proxies in front (ALLAUTH_TRUSTED_PROXY_COUNT, shared with allauth's rate
    limits), the client is the Nth address from the right; addresses further left are whatever
    the client chose to send and are ignored.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


def parse_id(text: str) -> int | None:
    """Return the row id text names (digits only, at most 18 of them), or None."""
    text = text.strip()
    # isascii: "²".isdigit() holds, and int() refuses it.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def query_id(request: HttpRequest, name: str) -> int | None:
    """Return a query-string parameter that names a row's id, or None if it does not."""
    return parse_id(request.GET.get(name, ""))


def query_choice(
    request: HttpRequest, name: str, allowed: Container[str], default: str = ""
) -> str:
    """Return a query-string parameter if it is one of allowed, else default."""
    value = request.GET.get(name, default)
    return value if value in allowed else default


def query_text(request: HttpRequest, name: str, limit: int = 200) -> str:
    return request.GET.get(name, "").strip()[:limit]


def query_without_page(request: HttpRequest) -> str:
    """The query string with everything but the page number, for the links to other pages."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
