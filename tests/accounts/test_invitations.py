import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts import invitations
from madoguchi.accounts.models import Invitation, Membership, Organisation, User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from madoguchi.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unusual passphrase 42"


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/invitations/\S+/", body).group(0)


def _path(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _set_access(mode: str) -> Brand:
    brand = default_brand()
    brand.access_mode = mode
    brand.save()
    return brand


def test_invitation_mail_carries_a_link_and_only_a_hash_is_stored(
    smtp_server, org_a: Organisation, bob: User
) -> None:
    invitation = invitations.invite(
        email="New.Person@Example.com", organisation=org_a, invited_by=bob
    )

    [message] = smtp_server.messages
    assert message["To"] == "new.person@example.com"
    assert "Acme Corporation" in message["Subject"]
    token = _link(message).rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash
    assert invitations.find_by_token(token) == invitation
    assert AuditEvent.objects.filter(action="invitation.created", actor=bob).exists()


def test_invitation_mail_speaks_the_invitees_language(smtp_server, org_a: Organisation) -> None:
    invitations.invite(email="taro@example.jp", organisation=org_a, language="ja")

    [message] = smtp_server.messages
    assert "招待" in message["Subject"]
    assert "招待を承諾" in message.get_body(preferencelist=("plain",)).get_content()


def test_new_person_signs_up_through_the_link_and_joins_the_organisation(
    client: Client, smtp_server, org_a: Organisation
) -> None:
    invitations.invite(email="new@example.com", organisation=org_a, role=Membership.Role.ADMIN)
    link = _path(_link(smtp_server.messages[0]))

    landing = client.get(link)
    assert landing.status_code == 302
    assert landing["Location"].startswith(reverse("account_signup") + "?email=new%40example.com")
    form = client.get(landing["Location"])
    assert 'value="new@example.com"' in form.content.decode()

    response = client.post(
        reverse("account_signup"),
        {"name": "New Person", "email": "new@example.com",
         "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )  # fmt: skip

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.name == "New Person"
    assert EmailAddress.objects.get(user=user).verified, "the mailed link proved the address"
    assert Membership.objects.get(user=user, organisation=org_a).role == Membership.Role.ADMIN
    assert Invitation.objects.get(email="new@example.com").accepted_at is not None
    assert client.get(reverse("core:home")).context["user"] == user
    assert client.get(link).status_code == 410, "a used link does not work twice"


def test_existing_account_signs_in_through_the_link_and_joins(
    client: Client, smtp_server, org_b: Organisation, alice: User
) -> None:
    invitations.invite(email=alice.email, organisation=org_b)
    link = _path(_link(smtp_server.messages[0]))

    landing = client.get(link)
    assert landing["Location"] == reverse("account_login")
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})

    assert Membership.objects.filter(user=alice, organisation=org_b).exists()


def test_signed_in_with_another_address_cannot_accept(
    client: Client, smtp_server, org_b: Organisation, alice: User
) -> None:
    invitations.invite(email="someone.else@example.com", organisation=org_b)
    link = _path(_link(smtp_server.messages[0]))
    client.force_login(alice)

    page = client.get(link)
    client.post(link)

    assert "signed in with another address" in page.content.decode()
    assert not Membership.objects.filter(user=alice, organisation=org_b).exists()


def test_signed_in_invitee_accepts_with_a_button(
    client: Client, smtp_server, org_b: Organisation, alice: User
) -> None:
    invitations.invite(email=alice.email, organisation=org_b)
    link = _path(_link(smtp_server.messages[0]))
    client.force_login(alice)

    response = client.post(link)

    assert response.status_code == 302
    assert Membership.objects.filter(user=alice, organisation=org_b).exists()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_expired_forged_and_replaced_links_are_refused_clearly(
    client: Client, smtp_server, org_a: Organisation, language: str
) -> None:
    invitations.invite(email="x@example.com", organisation=org_a)
    first = _path(_link(smtp_server.messages[0]))
    invitations.invite(email="x@example.com", organisation=org_a)
    second = _path(_link(smtp_server.messages[1]))
    headers = {"accept-language": language}

    replaced = client.get(first, headers=headers)
    forged = client.get("/invitations/not-a-real-token/", headers=headers)
    with time_machine.travel(timezone.now() + timedelta(days=invitations.VALID_DAYS, hours=1)):
        expired = client.get(second, headers=headers)

    text = {"en": "Invitation no longer valid", "ja": "この招待は無効です"}[language]
    for response in (replaced, forged, expired):
        assert response.status_code == 410
        assert text in response.content.decode()


def test_private_brand_closes_sign_up_to_the_uninvited(client: Client) -> None:
    _set_access(Brand.AccessMode.PRIVATE)

    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert "closed" in response.content.decode().lower()


def test_private_brand_holds_the_invitee_to_the_invited_address(
    client: Client, smtp_server, org_a: Organisation
) -> None:
    _set_access(Brand.AccessMode.PRIVATE)
    invitations.invite(email="invited@example.com", organisation=org_a)
    client.get(_path(_link(smtp_server.messages[0])))

    refused = client.post(
        reverse("account_signup"),
        {"email": "other@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    accepted = client.post(
        reverse("account_signup"),
        {"email": "invited@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert "by invitation only" in refused.content.decode()
    assert not User.objects.filter(email="other@example.com").exists()
    assert accepted.status_code == 302
    assert User.objects.filter(email="invited@example.com").exists()


def test_restricted_brand_holds_sign_ups_for_approval_but_not_invitees(
    client: Client, smtp_server, org_a: Organisation
) -> None:
    _set_access(Brand.AccessMode.RESTRICTED)
    client.post(
        reverse("account_signup"),
        {"email": "walkin@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    invitations.invite(email="invited@example.com", organisation=org_a)
    invited = Client()
    invited.get(_path(_link(smtp_server.messages[-1])))
    invited.post(
        reverse("account_signup"),
        {"email": "invited@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert User.objects.get(email="walkin@example.com").approval == User.Approval.PENDING
    assert User.objects.get(email="invited@example.com").approval == User.Approval.APPROVED


def test_revoked_invitation_cannot_be_used(client: Client, smtp_server, org_a) -> None:
    invitation = invitations.invite(email="x@example.com", organisation=org_a)

    invitations.revoke(invitation)

    assert client.get(_path(_link(smtp_server.messages[0]))).status_code == 410
    assert AuditEvent.objects.filter(action="invitation.revoked").exists()


def test_the_name_given_by_the_inviter_is_offered_at_sign_up_and_kept(
    client: Client, smtp_server, org_a: Organisation
) -> None:
    invitations.invite(email="hanako@example.jp", name="佐藤 花子", organisation=org_a)
    client.get(_path(_link(smtp_server.messages[0])))

    form = client.get(reverse("account_signup") + "?email=hanako%40example.jp")
    client.post(
        reverse("account_signup"),
        {"email": "hanako@example.jp", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert 'value="佐藤 花子"' in form.content.decode()
    assert User.objects.get(email="hanako@example.jp").name == "佐藤 花子"


def test_accepting_keeps_a_name_the_account_already_has(
    smtp_server, org_b: Organisation, alice: User
) -> None:
    invitation = invitations.invite(email=alice.email, name="Someone Else", organisation=org_b)

    invitations.accept(invitation, alice)

    alice.refresh_from_db()
    assert alice.name == "Alice Example"
