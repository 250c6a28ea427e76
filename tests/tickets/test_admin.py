from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.tickets.models import BusinessCalendar, FormField, RequestType, SlaPolicy
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
    assert f'<option value="{own.pk}">Own Flag</option>' in body
    assert "Foreign Flag" not in body


@pytest.mark.parametrize("page", ["changelist", "add"])
def test_catalog_admin_pages_open_in_japanese(client: Client, erin: User, page: str) -> None:
    client.force_login(erin)

    response = client.get(
        reverse(f"admin:tickets_requesttype_{page}"), headers={"accept-language": "ja"}
    )

    assert response.status_code == 200
    assert "リクエストの種類" in response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        "tickets_slapolicy_changelist",
        "tickets_slapolicy_add",
        "tickets_businesscalendar_changelist",
        "tickets_businesscalendar_add",
        "tickets_slaevent_changelist",
    ],
)
def test_sla_admin_pages_open(client: Client, erin: User, page: str) -> None:
    client.force_login(erin)

    assert client.get(reverse(f"admin:{page}")).status_code == 200


def test_the_admin_adds_japanese_holidays_to_a_calendar_once(client: Client, erin: User) -> None:
    calendar = BusinessCalendar.objects.create(name="Tokyo office")
    client.force_login(erin)
    action = {"action": "add_japanese_holidays", "_selected_action": [str(calendar.pk)]}

    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC)):
        first = client.post(reverse("admin:tickets_businesscalendar_changelist"), action)
        client.post(reverse("admin:tickets_businesscalendar_changelist"), action)

    assert first.status_code == 302
    days = set(calendar.holidays.values_list("day", flat=True))
    assert len(days) == 18 + 17
    assert {date(2026, 9, 22), date(2027, 3, 22)} <= days


def test_a_policy_needs_a_name_and_a_warning_share_of_at_most_100(
    client: Client, erin: User
) -> None:
    client.force_login(erin)

    response = client.post(
        reverse("admin:tickets_slapolicy_add"),
        {"name_en": "", "name_ja": "", "position": "0", "warn_percent": "120"},
    )

    assert response.status_code == 200
    assert not SlaPolicy.objects.exists()
    assert response.context["adminform"].form.errors


def test_the_holidays_command_fills_the_years_asked(erin: User) -> None:
    calendar = BusinessCalendar.objects.create(name="東京オフィス")
    out = StringIO()

    call_command("sla_holidays", "東京オフィス", "--year", "2027", stdout=out)

    assert "2027: added 17 holidays" in out.getvalue()
    assert calendar.holidays.filter(day=date(2027, 3, 21), name="春分の日").exists()
    with pytest.raises(CommandError, match="No business-hours calendar"):
        call_command("sla_holidays", "Osaka", "--year", "2027")
    with pytest.raises(CommandError, match="2022"):
        call_command("sla_holidays", "東京オフィス", "--year", "1999")
