import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.tickets.models import FormField, RequestType
from tests.tickets.conftest import add_field

Kind = FormField.Kind


def _inline_post(request_type: RequestType, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {
        "brand": str(request_type.brand_id),
        "category": str(request_type.category_id),
        "name_en": request_type.name_en,
        "name_ja": request_type.name_ja,
        "default_priority": "normal",
        "is_active": "on",
        "position": "0",
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"fields-{index}-{name}": value for name, value in row.items()})
    return data


def test_admin_adds_fields_inline_and_sees_errors_next_to_them(
    client: Client, erin: User, request_type: RequestType
) -> None:
    client.force_login(erin)
    url = reverse("admin:tickets_requesttype_change", args=[request_type.pk])
    rows = [
        {"key": "reason", "kind": "choice", "label_en": "Reason", "choices": "", "position": "0"},
        {"key": "serial", "kind": "text", "label_ja": "製造番号", "position": "1"},
    ]

    response = client.post(url, _inline_post(request_type, rows))

    assert response.status_code == 200
    assert "Write at least one choice, one per line." in response.content.decode()
    assert not request_type.fields.exists()

    rows[0]["choices"] = "broken\nwrong_size"
    response = client.post(url, _inline_post(request_type, rows))

    assert response.status_code == 302
    assert list(request_type.fields.values_list("key", flat=True)) == ["reason", "serial"]


def test_only_this_types_fields_are_offered_as_conditions(
    client: Client, erin: User, request_type: RequestType
) -> None:
    own = add_field(request_type, "own_flag", Kind.CHECKBOX)
    other = RequestType.objects.create(
        brand=request_type.brand, category=request_type.category, name_en="Other"
    )
    add_field(other, "foreign_flag", Kind.CHECKBOX)
    client.force_login(erin)

    page = client.get(reverse("admin:tickets_requesttype_change", args=[request_type.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{own.pk}">Own_Flag</option>' in body
    assert "Foreign_Flag" not in body


@pytest.mark.parametrize("page", ["changelist", "add"])
def test_catalog_admin_pages_open_in_japanese(client: Client, erin: User, page: str) -> None:
    client.force_login(erin)

    response = client.get(
        reverse(f"admin:tickets_requesttype_{page}"), headers={"accept-language": "ja"}
    )

    assert response.status_code == 200
    assert "リクエストの種類" in response.content.decode()
