import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from madoguchi.core import views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ja"])
def test_malformed_host_is_a_400_page_and_not_a_server_error(
    client: Client, caplog: pytest.LogCaptureFixture, language: str
) -> None:
    with caplog.at_level(logging.WARNING):
        response = client.get("/", headers={"host": "evil.example", "accept-language": language})

    assert response.status_code == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(r.exc_info is None for r in caplog.records)


def test_oversized_body_is_refused_from_its_length_before_reading(client: Client) -> None:
    response = client.generic(
        "POST", "/", data=b"x", content_type="text/plain", CONTENT_LENGTH=str(10**10)
    )

    assert response.status_code == 413
    assert "larger than this server accepts" in response.content.decode()


def test_oversized_api_body_is_413_json(client: Client) -> None:
    response = client.generic(
        "POST", "/api/v1/tickets", data=b"{}", content_type="application/json",
        CONTENT_LENGTH=str(10**10),
    )  # fmt: skip

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 413


def test_unparsable_content_length_is_400(client: Client) -> None:
    response = client.generic("POST", "/api/v1/tickets", data=b"{}", CONTENT_LENGTH="lots")

    assert response.status_code == 400
    assert response.json()["detail"] == "The Content-Length header is not a number."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_form_body_over_the_memory_limit_is_413(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "x" * 500})

    assert response.status_code == 413


def test_csrf_failure_is_a_translated_403_page() -> None:
    csrf_client = Client(enforce_csrf_checks=True)

    response = csrf_client.post(
        "/i18n/setlang/", {"language": "ja"}, headers={"accept-language": "ja"}
    )

    assert response.status_code == 403
    assert '<html lang="ja"' in response.content.decode()


def test_server_error_page_has_no_traceback(rf: RequestFactory) -> None:
    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"Traceback" not in response.content
    assert b"Something went wrong" in response.content


def test_server_error_under_api_is_json(rf: RequestFactory) -> None:
    response = views.server_error(rf.get("/api/v1/x"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Access denied"), ("ja", "アクセスが拒否されました")]
)
def test_permission_denied_is_a_403_page_in_the_viewers_language(
    rf: RequestFactory, language: str, text: str
) -> None:
    request = rf.get("/somewhere")
    with translation.override(language):
        response = views.permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert text in response.content.decode()


def test_server_error_page_renders_without_the_static_manifest(
    rf: RequestFactory, settings: object, tmp_path: object
) -> None:
    """The 500 page must not fail the way the page it replaces did (here: no collectstatic)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
