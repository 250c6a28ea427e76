"""Errors of the API: always JSON {"status", "detail"} with the HTTP status (R32)."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError


class ApiError(Exception):
    def __init__(self, status: int, detail: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


def count_checked(name: str, value: int, maximum: int) -> None:
    """Refuse (400) a page size or limit the caller asked for unless it is 1 to maximum."""
    if not 1 <= value <= maximum:
        raise ApiError(
            400, _("%(name)s must be between 1 and %(max)d.") % {"name": name, "max": maximum}
        )


def problem(status: int, detail: str, errors: dict[str, Any] | None = None) -> HttpResponse:
    return JsonResponse(ApiError(status, detail, errors=errors).body(), status=status)


def schema_problem(error: SchemaError) -> ApiError:
    """Turn pydantic's complaints about a body into per-field messages."""
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(where, []).append(item["msg"])
    return ApiError(422, _("The request body is not valid."), errors=errors)


def ninja_errors(items: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per-field messages from django-ninja's validation errors, by the field's own name."""
    errors: dict[str, list[str]] = {}
    for item in items:
        names = [part for part in item.get("loc", [])[1:] if isinstance(part, str)]
        errors.setdefault(names[-1] if names else "body", []).append(str(item.get("msg", "")))
    return errors


def handle_api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return problem(error.status, error.detail, error.errors)
