import zoneinfo

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from madoguchi.core.middleware import TimezoneMiddleware

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client: Client) -> None:
    response = client.get("/")

    assert len(response["X-Request-ID"]) == 32


def test_a_well_formed_request_id_from_the_proxy_is_kept(client: Client) -> None:
    response = client.get("/", headers={"x-request-id": "lb-1234.abcd"})

    assert response["X-Request-ID"] == "lb-1234.abcd"


def test_a_malformed_request_id_is_replaced(client: Client) -> None:
    response = client.get("/", headers={"x-request-id": "bad id\r\nx: y"})

    assert response["X-Request-ID"] != "bad id\r\nx: y"
    assert len(response["X-Request-ID"]) == 32


def _zone_seen(request: HttpRequest) -> str:
    seen = {}

    def view(req: HttpRequest) -> HttpResponse:
        seen["zone"] = str(timezone.get_current_timezone())
        return HttpResponse()

    TimezoneMiddleware(view)(request)
    return seen["zone"]


def test_time_zone_comes_from_the_browser_cookie(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.COOKIES["mdg_tz"] = "Asia%2FTokyo"

    assert _zone_seen(request) == "Asia/Tokyo"


def test_the_profile_time_zone_wins_over_the_cookie(rf: RequestFactory, alice: object) -> None:
    alice.time_zone = "America/New_York"
    request = rf.get("/")
    request.user = alice
    request.COOKIES["mdg_tz"] = "Asia/Tokyo"

    assert _zone_seen(request) == "America/New_York"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "Not/AZone", "", "Asia/Tokyo\x00"])
def test_an_unknown_time_zone_falls_back_to_the_portal_default(
    rf: RequestFactory, bad: str
) -> None:
    request = rf.get("/")
    request.COOKIES["mdg_tz"] = bad

    assert _zone_seen(request) == str(zoneinfo.ZoneInfo("UTC"))


def test_security_headers_on_every_page(client: Client) -> None:
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_httponly_and_samesite(client: Client, alice: object) -> None:
    client.get("/")
    response = client.post(
        "/accounts/login/",
        {"login": "alice@example.com", "password": "correct horse battery staple"},
    )

    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
