"""People who must use two-factor authentication are sent to set it up, and reach nothing else."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from madoguchi.accounts import security_policy
from madoguchi.accounts.models import Organisation, SecurityPolicy, User
from tests.accounts.test_mfa_pages import _activate_totp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = reverse("mfa_activate_totp")


@pytest.fixture
def strict_org(org_a: Organisation) -> Organisation:
    org_a.require_mfa = True
    org_a.save()
    return org_a


def _require_mfa_for_staff() -> None:
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"staff_require_mfa": True})
    security_policy.forget_cached()


@pytest.mark.parametrize(
    ("language", "banner"),
    [("en", "Two-factor authentication is required"), ("ja", "二要素認証の設定が必要")],
)
def test_a_member_of_a_strict_organisation_is_sent_to_setup(
    client: Client, alice: User, strict_org: Organisation, language: str, banner: str
) -> None:
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})

    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302 and response["Location"] == SETUP
    # allauth asks for the password again before a factor is added; that page explains too.
    page = client.get(SETUP, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert banner in page.content.decode()
    client.post(page.redirect_chain[-1][0], {"password": PASSWORD})
    setup = client.get(SETUP, HTTP_ACCEPT_LANGUAGE=language)
    assert setup.status_code == 200
    assert banner in setup.content.decode()


@pytest.mark.parametrize("url", ["/", "/requests/", "/organisation/", reverse("account_email")])
def test_nothing_but_setup_answers_before_enrolment(
    client: Client, alice: User, strict_org: Organisation, url: str
) -> None:
    client.force_login(alice)

    response = client.get(url)

    assert response.status_code == 302 and response["Location"] == SETUP


def test_sign_out_and_the_language_switch_still_work(
    client: Client, alice: User, strict_org: Organisation
) -> None:
    client.force_login(alice)

    assert (
        client.post(reverse("set_language"), {"language": "ja", "next": SETUP}).status_code == 302
    )
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get("/").status_code == 200


def test_after_enrolling_the_portal_opens(
    client: Client, alice: User, strict_org: Organisation
) -> None:
    client.force_login(alice)
    _activate_totp(client)

    assert client.get("/").status_code == 200


def test_recovery_codes_alone_do_not_count(
    client: Client, alice: User, strict_org: Organisation
) -> None:
    RecoveryCodes.activate(alice)
    client.force_login(alice)

    assert client.get("/").status_code == 302


def test_members_of_other_organisations_are_not_asked(
    client: Client, carol: User, strict_org: Organisation
) -> None:
    client.force_login(carol)

    assert client.get("/").status_code == 200


def test_staff_without_mfa_cannot_use_the_admin_when_required(client: Client, dave: User):
    _require_mfa_for_staff()
    client.force_login(dave)

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"] == SETUP


def test_staff_with_mfa_reach_the_admin(client: Client, dave: User) -> None:
    _require_mfa_for_staff()
    TOTP.activate(dave, generate_totp_secret())
    client.force_login(dave)

    assert client.get("/admin/").status_code == 200


def test_removing_the_last_factor_sends_the_person_back_to_setup(
    client: Client, alice: User, strict_org: Organisation, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    _activate_totp(client)
    assert client.get("/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))

    assert not Authenticator.objects.filter(user=alice, type="totp").exists()
    assert client.get("/")["Location"] == SETUP
