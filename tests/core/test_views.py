import json

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_shows_search_and_entry_points(client: Client) -> None:
    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="search"' in body
    for entry in ("Help centre", "My requests", "Community"):
        assert entry in body
    assert 'href="#main"' in body


def test_home_page_speaks_japanese_when_asked(client: Client) -> None:
    response = client.get(reverse("core:home"), headers={"accept-language": "ja"})

    body = response.content.decode()
    assert '<html lang="ja"' in body
    assert "ヘルプセンター" in body


def test_language_choice_is_remembered_in_a_cookie(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ja"
    assert '<html lang="ja"' in client.get("/").content.decode()


def test_unknown_language_code_keeps_the_current_language(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "xx-evil", "next": "/"})

    assert response.status_code == 302
    assert "django_language" not in response.cookies
    assert '<html lang="en"' in client.get("/").content.decode()


def test_language_switch_never_redirects_off_site(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "ja", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_search_query_is_echoed_escaped(client: Client) -> None:
    response = client.get("/", {"q": "<script>alert(1)</script>"})

    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_signed_in_user_sees_the_user_menu(client: Client, alice: object) -> None:
    client.force_login(alice)

    body = client.get("/").content.decode()

    assert "Alice Example" in body
    assert "Sign out" in body


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Page not found"), ("ja", "ページが見つかりません")]
)
def test_unknown_url_is_a_404_page_in_the_viewers_language(
    client: Client, language: str, text: str
) -> None:
    response = client.get("/no/such/page", headers={"accept-language": language})

    assert response.status_code == 404
    body = response.content.decode()
    assert f"<title>{text} (404)" in body
    assert f"<h1>{text}</h1>" in body


def test_favicon_ico_points_at_the_svg_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/img/favicon.svg")


def test_unknown_api_url_is_json(client: Client) -> None:
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"status": 404, "detail": "There is no page at this address."}


def test_method_not_allowed_on_home(client: Client) -> None:
    assert client.delete("/").status_code == 405


def test_healthz_reports_each_dependency_and_503_without_a_worker(client: Client) -> None:
    response = client.get(reverse("core:healthz"))

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["cache"] == {"status": "ok"}
    assert checks["channel_layer"] == {"status": "ok"}
    assert checks["worker"]["status"] == "down"
    assert "heartbeat" in checks["worker"]["reason"]


def test_healthz_live_answers_without_dependencies(client: Client) -> None:
    response = client.get(reverse("core:healthz-live"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
