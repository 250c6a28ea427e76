"""Members of an SSO-only organisation cannot sign in by password or mailed code, nor reset a
password; they are pointed at their organisation's sign-in button, without telling a guesser
whether the account exists (R23)."""

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Organisation, OrganisationDomain, User
from tests.factories import PASSWORD, add_member, make_user
from tests.support.smtp import RecordingHandler, plain_body

pytestmark = pytest.mark.django_db

MEMBER = "kenji@acme.example"
UNKNOWN = "nobody@acme.example"
SSO_MESSAGE = {
    "en": "Your organisation signs in through single sign-on.",
    "ja": "シングルサインオン",
}


@pytest.fixture
def member() -> User:
    acme = Organisation.objects.create(name="Acme", slug="acme-sso", sso_only=True)
    OrganisationDomain.objects.create(organisation=acme, domain="acme.example")
    user = make_user(MEMBER, name="Kenji")
    add_member(user, acme)
    return user


def _client(language: str) -> Client:
    return Client(headers={"accept-language": language})


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_right_password_is_refused_with_a_pointer_to_sso(member: User, language: str) -> None:
    client = _client(language)

    response = client.post(reverse("account_login"), {"login": MEMBER, "password": PASSWORD})

    assert response.status_code == 200
    assert SSO_MESSAGE[language] in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_nothing_about_sso(member: User) -> None:
    response = Client().post(
        reverse("account_login"), {"login": MEMBER, "password": "wrong " + PASSWORD}
    )

    assert response.status_code == 200
    assert SSO_MESSAGE["en"] not in response.content.decode()


def test_a_member_outside_the_domain_still_uses_a_password(member: User) -> None:
    outsider = make_user("contractor@example.com")
    add_member(outsider, member.organisations.get())
    client = Client()

    client.post(reverse("account_login"), {"login": outsider.email, "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_a_reset_request_mails_a_pointer_to_sso_and_no_link(
    member: User, smtp_server: RecordingHandler
) -> None:
    known = Client().post(reverse("account_reset_password"), {"email": MEMBER})
    unknown = Client().post(reverse("account_reset_password"), {"email": UNKNOWN})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    mail = next(m for m in smtp_server.messages if m["To"] == MEMBER)
    body = plain_body(mail)
    assert "single sign-on" in body
    assert "/password/reset/key/" not in body


def test_a_sign_in_code_request_mails_a_pointer_to_sso_and_no_code(
    member: User, smtp_server: RecordingHandler
) -> None:
    known = Client().post(reverse("account_request_login_code"), {"email": MEMBER})
    unknown = Client().post(reverse("account_request_login_code"), {"email": UNKNOWN})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    (mail,) = [m for m in smtp_server.messages if m["To"] == MEMBER]
    assert "single sign-on" in plain_body(mail)
    assert "/accounts/login/" in plain_body(mail)


def test_a_superuser_keeps_the_password_to_mend_a_broken_provider(member: User) -> None:
    member.is_superuser = True
    member.save()
    client = Client()

    client.post(reverse("account_login"), {"login": MEMBER, "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(member.pk)


def _stored_code(client: Client) -> str:
    """The code allauth keeps in the session (the mail never carried it)."""
    stages = client.session["account_login"]["state"]["stages"]
    return stages["login_by_code"]["data"]["code"]


def test_the_unmailed_code_does_not_let_a_member_in_either(member: User) -> None:
    client = Client()
    client.post(reverse("account_request_login_code"), {"email": MEMBER})

    response = client.post(reverse("account_confirm_login_code"), {"code": _stored_code(client)})

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert SSO_MESSAGE["en"] in page.content.decode()
