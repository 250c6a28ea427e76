"""The staff IP allowlist: CIDR lines checked, no self-lockout, the admin refused elsewhere."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from madoguchi.accounts import security_policy
from madoguchi.accounts.models import SecurityPolicy, User
from madoguchi.core.models import AuditEvent
from madoguchi.core.networks import address_in, parse_network_lines

pytestmark = pytest.mark.django_db


def test_lines_are_read_as_networks_skipping_blanks_and_comments() -> None:
    text = "203.0.113.0/24\n\n  2001:db8::/32  # office v6\n# nothing\n198.51.100.7\n"

    assert [str(n) for n in parse_network_lines(text)] == [
        "203.0.113.0/24",
        "2001:db8::/32",
        "198.51.100.7/32",
    ]


def test_every_bad_line_is_named_with_its_number() -> None:
    with pytest.raises(ValidationError) as error:
        parse_network_lines("203.0.113.0/24\nnot-an-ip\n10.0.0.1/8\n300.1.1.1")

    assert [m.split(":")[0] for m in error.value.messages] == ["Line 2", "Line 3", "Line 4"]
    assert "“not-an-ip” is not an IP address" in error.value.messages[0]


@pytest.mark.parametrize(
    ("address", "inside"),
    [
        ("203.0.113.9", True),
        ("::ffff:203.0.113.9", True),
        ("203.0.114.1", False),
        ("2001:db8::1", True),
        ("2001:db9::1", False),
        (None, False),
        ("garbage", False),
    ],
)
def test_address_matching(address: str | None, inside: bool) -> None:
    networks = parse_network_lines("203.0.113.0/24\n2001:db8::/32")

    assert address_in(address, networks) is inside


def _set_allowlist(text: str) -> None:
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"staff_ip_allowlist": text})
    security_policy.forget_cached()


@pytest.mark.parametrize(
    ("remote", "expected"), [("203.0.113.9", 200), ("192.0.2.1", 404), ("2001:db8::7", 404)]
)
def test_the_admin_answers_only_inside_the_allowlist(
    erin: User, remote: str, expected: int
) -> None:
    _set_allowlist("203.0.113.0/24")
    client = Client(REMOTE_ADDR=remote)
    client.force_login(erin)

    assert client.get("/admin/").status_code == expected


@pytest.mark.parametrize(("remote", "expected"), [("203.0.113.9", 200), ("192.0.2.1", 404)])
def test_the_agent_pages_answer_only_inside_the_allowlist(
    dave: User, remote: str, expected: int
) -> None:
    _set_allowlist("203.0.113.0/24")
    client = Client(REMOTE_ADDR=remote)
    client.force_login(dave)

    assert client.get(reverse("agent:queue")).status_code == expected


def test_the_portal_itself_is_not_restricted(erin: User) -> None:
    _set_allowlist("203.0.113.0/24")
    client = Client(REMOTE_ADDR="192.0.2.1")
    client.force_login(erin)

    assert client.get("/").status_code == 200


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", 200),
        # The client wrote the left part itself; only the proxy's entry counts.
        ("203.0.113.9, 192.0.2.1", 404),
        ("192.0.2.1, 203.0.113.9", 200),
    ],
)
def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(
    erin: User, forwarded: str, expected: int
) -> None:
    _set_allowlist("203.0.113.0/24")
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    client.force_login(erin)

    assert client.get("/admin/").status_code == expected


def test_without_trusted_proxies_a_forwarded_header_is_ignored(erin: User) -> None:
    _set_allowlist("203.0.113.0/24")
    client = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    client.force_login(erin)

    assert client.get("/admin/").status_code == 404


@pytest.fixture
def admin_client(erin: User) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(erin)
    return client


def _policy_url() -> str:
    return reverse("admin:accounts_securitypolicy_change", args=[security_policy.policy_row().pk])


def _save(client: Client, allowlist: str, language: str = "en"):
    return client.post(
        _policy_url(), {"staff_ip_allowlist": allowlist}, HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Line 2: “10.0.0.300” is not an IP address"), ("ja", "2 行目")],
)
def test_a_bad_line_is_refused_with_its_reason(
    admin_client: Client, language: str, message: str
) -> None:
    response = _save(admin_client, "203.0.113.0/24\n10.0.0.300", language)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert security_policy.policy_row().staff_ip_allowlist == ""


@pytest.mark.parametrize(("language", "message"), [("en", "lock you out"), ("ja", "締め出され")])
def test_a_list_without_the_admins_own_address_is_refused(
    admin_client: Client, language: str, message: str
) -> None:
    response = _save(admin_client, "192.0.2.0/24", language)

    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and "203.0.113.9" in text
    assert security_policy.policy_row().staff_ip_allowlist == ""
    assert admin_client.get("/admin/").status_code == 200


def test_saving_takes_effect_at_once_and_is_audited(
    admin_client: Client, erin: User, django_capture_on_commit_callbacks
) -> None:
    assert admin_client.get("/admin/").status_code == 200  # the empty policy is now cached

    with django_capture_on_commit_callbacks(execute=True):
        response = _save(admin_client, "203.0.113.0/24\n2001:db8::/32")

    assert response.status_code == 302
    outsider = Client(REMOTE_ADDR="192.0.2.1")
    outsider.force_login(erin)
    assert outsider.get("/admin/").status_code == 404
    assert admin_client.get("/admin/").status_code == 200
    [event] = AuditEvent.objects.filter(action="security_policy.changed")
    assert event.actor == erin
    assert event.data["staff_ip_allowlist"] == ["203.0.113.0/24", "2001:db8::/32"]


def test_agents_cannot_see_or_change_the_policy(client: Client, dave: User) -> None:
    client.force_login(dave)

    assert client.get(_policy_url()).status_code == 403
    assert client.get(reverse("admin:accounts_securitypolicy_changelist")).status_code == 403


def test_the_emergency_command_empties_the_list(erin: User) -> None:
    _set_allowlist("192.0.2.0/24")

    call_command("clear_staff_allowlist")

    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(erin)
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="security_policy.allowlist_cleared").count() == 1


@pytest.mark.parametrize(("remote", "status"), [("203.0.113.7", 200), ("192.0.2.1", 404)])
def test_the_agent_workspace_answers_only_inside_the_allowlist(
    dave: User, remote: str, status: int
) -> None:
    _set_allowlist("203.0.113.0/24")
    client = Client(REMOTE_ADDR=remote)
    client.force_login(dave)

    assert client.get(reverse("agent:queue")).status_code == status
