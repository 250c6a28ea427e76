"""The audit log in the admin: read-only, filters (IP network too), CSV export that is audited."""

import pytest
from django.test import Client
from django.utils import translation

from madoguchi.accounts.models import Organisation, User
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/admin/core/auditevent/"
EXPORT = "/admin/core/auditevent/export/"


@pytest.fixture
def events(alice: User, carol: User, org_a: Organisation, org_b: Organisation) -> None:
    AuditEvent.objects.create(
        action="auth.login",
        actor=alice,
        actor_label=alice.email,
        ip="203.0.113.7",
        organisation_id=org_a.pk,
        organisation_label=org_a.name,
    )
    AuditEvent.objects.create(
        action="auth.login.failed", ip="203.0.113.200", target_label='=HYPERLINK("http://evil")'
    )
    AuditEvent.objects.create(
        action="auth.logout",
        actor=carol,
        actor_label=carol.email,
        ip="198.51.100.1",
        organisation_id=org_b.pk,
        organisation_label=org_b.name,
    )
    AuditEvent.objects.create(
        action="mfa.added", actor=carol, actor_label=carol.email, ip="2001:db8::5"
    )


@pytest.fixture
def admin_client(client: Client, erin: User) -> Client:
    client.force_login(erin)
    return client


def _actions(response) -> list[str]:
    return [event.action for event in response.context["cl"].result_list]


def test_the_admin_cannot_add_change_or_delete(admin_client: Client, events: None) -> None:
    event = AuditEvent.objects.first()
    page = admin_client.get(LIST)

    assert page.status_code == 200
    assert "action" not in page.context or page.context["action_form"] is None
    assert admin_client.get(f"{LIST}add/").status_code == 403
    assert admin_client.get(f"{LIST}{event.pk}/delete/").status_code == 403
    admin_client.post(f"{LIST}{event.pk}/change/", {"action": "changed"})
    event.refresh_from_db()
    assert event.action != "changed"


def test_filters_by_action_and_organisation(
    admin_client: Client, events: None, org_b: Organisation
) -> None:
    assert _actions(admin_client.get(LIST, {"action": "auth.login"})) == ["auth.login"]
    assert _actions(admin_client.get(LIST, {"organisation": org_b.pk})) == ["auth.logout"]


def test_filters_by_actor_and_search(admin_client: Client, events: None, carol: User) -> None:
    assert sorted(_actions(admin_client.get(LIST, {"actor__id__exact": carol.pk}))) == [
        "auth.logout",
        "mfa.added",
    ]
    assert _actions(admin_client.get(LIST, {"q": "alice@"})) == ["auth.login"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.7", ["auth.login"]),
        ("203.0.113.0/24", ["auth.login", "auth.login.failed"]),
        ("203.0.113.128/25", ["auth.login.failed"]),
        ("2001:db8::/32", ["mfa.added"]),
        ("10.0.0.0/8", []),
    ],
)
def test_the_ip_filter_takes_an_address_or_a_network(
    admin_client: Client, events: None, value: str, expected: list[str]
) -> None:
    assert sorted(_actions(admin_client.get(LIST, {"ip_in": value}))) == expected


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_bad_ip_filter_says_why(admin_client: Client, events: None, language: str) -> None:
    with translation.override(language):
        response = admin_client.get(
            LIST, {"ip_in": "203.0.113.5/24"}, HTTP_ACCEPT_LANGUAGE=language
        )

    assert response.status_code == 200
    assert _actions(response) == []
    text = response.content.decode()
    assert "203.0.113.5/24" in text
    assert ("CIDR" in text) if language == "en" else ("IP アドレス" in text)


def test_the_export_holds_the_filtered_entries_safely_and_is_audited(
    admin_client: Client, events: None, erin: User
) -> None:
    response = admin_client.get(EXPORT, {"ip_in": "203.0.113.0/24"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().split("\r\n")
    assert len(lines) == 3
    assert "auth.login" in body and "auth.logout" not in body
    assert "'=HYPERLINK" in body
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == erin
    assert export.data == {"entries": 2, "filters": "ip_in=203.0.113.0%2F24"}


def test_agents_without_the_permission_cannot_see_or_export(
    client: Client, dave: User, events: None
) -> None:
    client.force_login(dave)

    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()
