"""Admin actions on accounts: force a password reset, reset MFA, deactivate, reactivate (R21)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.core.models import AuditEvent
from tests.factories import PASSWORD
from tests.support.smtp import mailed_path, plain_body

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


def _act(client: Client, action: str, *people: User, confirmed: bool = False, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in people]}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(CHANGELIST, data, **extra)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # allauth records the session on a request
    return client


@pytest.fixture
def admin_client(erin: User) -> Client:
    return _signed_in(erin)


def _is_signed_out(client: Client) -> bool:
    response = client.get(reverse("account_email"))
    return response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("action", "language", "question"),
    [
        ("deactivate_users", "en", "cannot sign in until the account is reactivated"),
        ("deactivate_users", "ja", "再有効化"),
        ("force_password_reset", "en", "password stops working at once"),
        ("reset_mfa", "en", "authenticators and recovery codes are removed"),
    ],
)
def test_each_action_asks_for_confirmation_first(
    admin_client: Client, alice: User, action: str, language: str, question: str
) -> None:
    response = _act(admin_client, action, alice, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert question in response.content.decode()
    assert alice.email in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active and alice.has_usable_password()
    assert not AuditEvent.objects.filter(action__startswith="admin.user.").exists()


def test_deactivating_signs_the_person_out_everywhere(
    admin_client: Client, alice: User, erin: User
) -> None:
    alices_browser = _signed_in(alice)

    response = _act(admin_client, "deactivate_users", alice, confirmed=True, follow=True)

    assert "1 account was deactivated." in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_active
    assert not UserSession.objects.filter(user=alice).exists()
    assert _is_signed_out(alices_browser)
    event = AuditEvent.objects.get(action="admin.user.deactivated")
    assert event.actor == erin and event.target_id == str(alice.pk)
    assert event.organisation_label == "Acme Corporation"
    assert event.data == {"sessions_ended": 1}


def test_an_admin_cannot_deactivate_themselves(admin_client: Client, erin: User, alice: User):
    response = _act(admin_client, "deactivate_users", erin, alice, confirmed=True, follow=True)

    assert "You cannot deactivate your own account." in response.content.decode()
    erin.refresh_from_db()
    alice.refresh_from_db()
    assert erin.is_active and not alice.is_active
    assert AuditEvent.objects.filter(action="admin.user.deactivated").count() == 1


def test_reactivating_lets_the_person_sign_in_again(admin_client: Client, alice: User) -> None:
    alice.is_active = False
    alice.save()

    _act(admin_client, "reactivate_users", alice, confirmed=True)

    alice.refresh_from_db()
    assert alice.is_active
    assert AuditEvent.objects.filter(action="admin.user.reactivated").count() == 1
    client = Client()
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert client.get("/").context["user"] == alice


def test_forcing_a_password_reset_mails_a_link_in_the_persons_language(
    admin_client: Client, carol: User, smtp_server
) -> None:
    carols_browser = _signed_in(carol)

    _act(admin_client, "force_password_reset", carol, confirmed=True)

    carol.refresh_from_db()
    assert not carol.has_usable_password()
    assert _is_signed_out(carols_browser)
    [message] = smtp_server.messages
    assert message["To"] == carol.email
    assert "パスワード" in plain_body(message)
    assert AuditEvent.objects.filter(action="admin.user.password_reset_forced").count() == 1
    # The link works: the person chooses a new password and signs in with it.
    link = mailed_path(message, r"/accounts/password/reset/key/")
    client = Client()
    form = client.get(link, follow=True)
    new = "a brand new passphrase 42"
    client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    carol.refresh_from_db()
    assert carol.check_password(new)


def test_resetting_mfa_removes_every_authenticator_and_signs_out(
    admin_client: Client, alice: User
) -> None:
    TOTP.activate(alice, generate_totp_secret())
    alices_browser = _signed_in(alice)

    _act(admin_client, "reset_mfa", alice, confirmed=True)

    assert not Authenticator.objects.filter(user=alice).exists()
    assert _is_signed_out(alices_browser)
    event = AuditEvent.objects.get(action="admin.user.mfa_reset")
    assert event.data["removed"] == ["totp"]


@pytest.mark.parametrize(
    "action", ["force_password_reset", "reset_mfa", "deactivate_users", "reactivate_users"]
)
def test_agents_who_may_change_users_still_cannot_use_them(
    client: Client, dave: User, alice: User, action: str
) -> None:
    dave.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(dave)

    page = client.get(CHANGELIST).content.decode()
    _act(client, action, alice, confirmed=True)

    assert f'value="{action}"' not in page
    alice.refresh_from_db()
    assert alice.is_active and alice.has_usable_password()
    assert not AuditEvent.objects.filter(action__startswith="admin.user.").exists()


def _change_form(user: User, **changes: object) -> dict[str, object]:
    data = {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "time_zone": user.time_zone,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [g.pk for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_staff_flag_and_role_changes_in_the_admin_are_audited_once(
    admin_client: Client, dave: User
) -> None:
    role = Group.objects.first()
    url = reverse("admin:accounts_user_change", args=[dave.pk])

    response = admin_client.post(url, _change_form(dave, is_superuser="on", groups=[role.pk]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    [flag] = AuditEvent.objects.filter(action__startswith="admin.user.superuser")
    assert flag.data == {"from": False, "to": True}
    [roles] = AuditEvent.objects.filter(action="admin.user.roles_changed")
    assert roles.data == {"added": [role.name], "removed": []}
    assert AuditEvent.objects.filter(action__startswith="admin.user.").count() == 2


def test_saving_without_changes_records_nothing(admin_client: Client, dave: User) -> None:
    url = reverse("admin:accounts_user_change", args=[dave.pk])

    assert admin_client.post(url, _change_form(dave)).status_code == 302

    assert not AuditEvent.objects.filter(action__startswith="admin.user.").exists()
