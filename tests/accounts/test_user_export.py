import codecs
import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Membership, User
from madoguchi.core.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def admin_client(client: Client, erin: User) -> Client:
    client.force_login(erin)
    return client


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body[3:].decode(), newline="")))


def test_export_of_the_filtered_list_is_safe_and_audited(
    admin_client: Client, alice: User, carol: User, org_a
) -> None:
    make_user("evil@example.com", name='=HYPERLINK("http://evil")', is_active=False)
    Membership.objects.create(user=carol, organisation=org_a, role="admin")

    response = admin_client.get(reverse("admin:accounts_user_export") + "?q=example.com&o=1")

    header, *rows = read_csv(response)
    assert header == [
        "Name", "Email address", "Organisations", "Roles", "Language", "Date joined",
        "Last login", "Active",
    ]  # fmt: skip
    by_email = {row[1]: row for row in rows}
    assert set(by_email) == {"alice@example.com", "carol@example.com", "erin@example.com",
                             "evil@example.com"}  # fmt: skip
    assert by_email["carol@example.com"][:5] == [
        "山田 花子", "carol@example.com", "Acme Corporation; グローベックス株式会社",
        "admin; member", "ja",
    ]  # fmt: skip
    assert by_email["evil@example.com"][0] == '\'=HYPERLINK("http://evil")'
    assert by_email["evil@example.com"][7] == "FALSE"
    event = AuditEvent.objects.get(action="users.export")
    assert event.data == {"users": 4, "selection": "q=example.com&o=1"}


def test_export_follows_the_changelist_filters(admin_client: Client, alice: User, dave) -> None:
    response = admin_client.get(reverse("admin:accounts_user_export") + "?is_staff__exact=1")

    _, *rows = read_csv(response)
    assert sorted(row[1] for row in rows) == ["dave@example.com", "erin@example.com"]


def test_export_action_on_selected_users(admin_client: Client, alice: User, carol: User) -> None:
    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [alice.pk]}
    )

    _, *rows = read_csv(response)
    assert [row[1] for row in rows] == ["alice@example.com"]
    assert AuditEvent.objects.get(action="users.export").data == {
        "users": 1,
        "selection": "selected",
    }
