"""SAML sign-in at the HTTP level against the pysaml2 identity provider: a good response signs
the person in; forged ones (tampered, wrapped, other key, replayed, other audience) are refused
and create no account (R39). The ACS is capped and rate limited."""

import copy
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.test import Client
from django.urls import reverse
from lxml import etree
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import Organisation, OrganisationDomain, SsoTrustedDomain, User
from tests.factories import make_user
from tests.support import saml

pytestmark = pytest.mark.django_db

EMAIL = "taro@acme.example"
VICTIM = "boss@acme.example"
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}

SAML_NAME_ID = f"{{{NS['saml']}}}NameID"
SAML_VALUE = f"{{{NS['saml']}}}AttributeValue"
DS_OBJECT = f"{{{NS['ds']}}}Object"


@pytest.fixture
def client() -> Client:
    """python3-saml refuses single-label host names such as the test client's "testserver"."""
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def acme() -> Organisation:
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    OrganisationDomain.objects.create(organisation=organisation, domain="acme.example")
    return organisation


@pytest.fixture
def factory(tmp_path: Path) -> saml.IdpFactory:
    return saml.IdpFactory(tmp_path)


@pytest.fixture
def idp(client: Client, factory: saml.IdpFactory, acme: Organisation) -> saml.SamlIdentityProvider:
    app = SocialApp.objects.create(
        provider="saml",
        provider_id="acme",
        client_id="acme",
        name="Acme SSO",
        settings=factory.app_settings(),
    )
    SsoTrustedDomain.objects.create(app=app, domain="acme.example")
    metadata = client.get(reverse("saml_metadata", args=["acme"]))
    assert metadata.status_code == 200
    return factory.build(metadata.content.decode())


def start(client: Client, next_url: str = "") -> str:
    """Begin the sign-in at the portal; return the redirect to the identity provider."""
    url = reverse("saml_login", args=["acme"])
    response = client.post(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content
    return response["Location"]


def finish(client: Client, answer: saml.Answer):
    posted = client.post(answer.acs_url, answer.form_data())
    assert posted.status_code == 302
    return client.get(posted["Location"])


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_a_signed_response_signs_the_person_in_and_places_them(
    client: Client, idp: saml.SamlIdentityProvider, acme: Organisation
) -> None:
    answer = idp.answer(start(client), email=EMAIL, name="Taro Sato")

    response = finish(client, answer)

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None and user.email == EMAIL and user.name == "Taro Sato"
    assert list(user.organisations.all()) == [acme]


def _refused(client: Client, response) -> None:
    assert signed_in_user(client) is None
    # allauth's "sign-in failed" page; 403 when no sign-in of this session awaits the answer.
    assert response.status_code in {401, 403}
    assert not User.objects.filter(email__in=[EMAIL, VICTIM]).exists()
    assert not SocialAccount.objects.exists()


def _tamper(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    value = root.find(".//saml:AttributeValue", NS)
    value.text = VICTIM
    return etree.tostring(root).decode()


def _wrap_evil_before(xml: str) -> str:
    """XSW: an unsigned evil assertion first, the signed original after it."""
    root = etree.fromstring(xml.encode())
    original = root.find("saml:Assertion", NS)
    evil = copy.deepcopy(original)
    evil.remove(evil.find("ds:Signature", NS))
    evil.set("ID", "_evil")
    for node in evil.iter(SAML_NAME_ID, SAML_VALUE):
        node.text = VICTIM
    original.addprevious(evil)
    return etree.tostring(root).decode()


def _wrap_original_inside_evil(xml: str) -> str:
    """XSW: the signed original hidden inside the evil assertion's signature, same ID."""
    root = etree.fromstring(xml.encode())
    original = root.find("saml:Assertion", NS)
    evil = copy.deepcopy(original)
    for node in evil.iter(SAML_NAME_ID, SAML_VALUE):
        node.text = VICTIM
    signature = evil.find("ds:Signature", NS)
    obj = etree.SubElement(signature, DS_OBJECT)
    root.replace(original, evil)
    obj.append(original)
    return etree.tostring(root).decode()


@pytest.mark.parametrize("forge", [_tamper, _wrap_evil_before, _wrap_original_inside_evil])
def test_forged_responses_are_refused(
    client: Client, factory: saml.IdpFactory, idp: saml.SamlIdentityProvider, forge
) -> None:
    answer = idp.answer(start(client), email=EMAIL, name="Taro", sign_response=False)

    response = finish(client, answer.with_xml(forge(answer.xml)))

    _refused(client, response)


def test_an_unsigned_response_is_refused(client: Client, idp: saml.SamlIdentityProvider) -> None:
    answer = idp.answer(
        start(client), email=EMAIL, name="Taro", sign_response=False, sign_assertion=False
    )

    _refused(client, finish(client, answer))


def test_a_response_signed_with_another_key_is_refused(
    client: Client, idp: saml.SamlIdentityProvider, tmp_path: Path
) -> None:
    other = saml.SamlIdentityProvider(
        base_url=idp.base_url,
        keys=saml.make_key_pair(tmp_path, "other"),
        sp_metadata=idp.sp_metadata,
    )
    response = finish(client, other.answer(start(client), email=EMAIL, name="Taro"))

    _refused(client, response)


def test_a_response_for_another_audience_is_refused(
    client: Client, idp: saml.SamlIdentityProvider
) -> None:
    ours = reverse("saml_metadata", args=["acme"])
    other_sp = "https://other.example/sp"
    knows_both = saml.SamlIdentityProvider(
        base_url=idp.base_url,
        keys=idp.keys,
        sp_metadata=idp.sp_metadata,
        other_sps=(idp.sp_metadata.replace(f"http://localhost{ours}", other_sp),),
    )
    answer = knows_both.answer(start(client), email=EMAIL, name="Taro", audience=other_sp)

    _refused(client, finish(client, answer))


def test_a_replayed_response_is_refused(client: Client, idp: saml.SamlIdentityProvider) -> None:
    answer = idp.answer(start(client), email=EMAIL, name="Taro")
    finish(client, answer)
    assert signed_in_user(client) is not None
    client.logout()
    User.objects.filter(email=EMAIL).delete()

    _refused(client, finish(client, answer))


def test_an_unsolicited_response_is_refused(client: Client, idp: saml.SamlIdentityProvider) -> None:
    """IdP-initiated sign-in has no InResponseTo to match: a stolen response cannot be used."""
    answer = idp.answer(start(Client(HTTP_HOST="localhost")), email=EMAIL, name="Taro")

    _refused(client, finish(client, answer))


def test_an_oversized_acs_body_is_refused_before_it_is_read(
    client: Client, idp: saml.SamlIdentityProvider, settings: Settings
) -> None:
    settings.SAML_ACS_MAX_BYTES = 1024
    url = reverse("saml_acs", args=["acme"])

    response = client.post(url, {"SAMLResponse": "A" * 2048})

    assert response.status_code == 413


def test_the_acs_is_rate_limited(
    client: Client, idp: saml.SamlIdentityProvider, settings: Settings
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "sso_callback": "2/m/ip"}
    url = reverse("saml_acs", args=["acme"])
    statuses = [client.post(url, {"SAMLResponse": "x"}).status_code for _ in range(3)]

    assert statuses[:2] == [302, 302]
    assert statuses[2] == 429


def test_a_trusted_provider_signs_in_to_the_existing_account_of_its_address(
    client: Client, idp: saml.SamlIdentityProvider
) -> None:
    existing = make_user(EMAIL, name="Taro")

    finish(client, idp.answer(start(client), email=EMAIL, name="Taro Sato"))

    assert signed_in_user(client) == existing
    assert SocialAccount.objects.get().user == existing
    assert User.objects.filter(email__iexact=EMAIL).count() == 1


def test_an_untrusted_provider_cannot_take_over_an_existing_account(
    client: Client, idp: saml.SamlIdentityProvider
) -> None:
    existing = make_user(EMAIL, name="Taro")
    SsoTrustedDomain.objects.all().delete()

    finish(client, idp.answer(start(client), email=EMAIL, name="Mallory"))

    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert list(User.objects.filter(email__iexact=EMAIL)) == [existing]


def test_an_untrusted_provider_s_new_person_must_verify_the_address_first(
    client: Client, idp: saml.SamlIdentityProvider
) -> None:
    SsoTrustedDomain.objects.all().delete()

    finish(client, idp.answer(start(client), email=EMAIL, name="Taro"))

    user = User.objects.get(email=EMAIL)
    assert signed_in_user(client) is None
    assert not user.organisations.exists()
    assert not EmailAddress.objects.get(user=user).verified

    # Proving the address by mail places the person in the domain's organisation after all.
    confirmation = EmailConfirmationHMAC(EmailAddress.objects.get(user=user))
    client.post(reverse("account_confirm_email", args=[confirmation.key]))
    assert user.organisations.exists()


# R24: where a sign-in may send the person afterwards.
EVIL_TARGETS = [
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "https:evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "https://evil.example@localhost",
    "\uff0f\uff0fevil.example",  # full-width solidus
]


def _lands_on_the_site(location: str) -> bool:
    """Resolve the redirect as a browser would (backslashes count as slashes)."""
    target = urlsplit(urljoin("http://localhost/accounts/", location.replace("\\", "/")))
    return (target.scheme, target.netloc) == ("http", "localhost")


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_after_sso_stays_on_the_site(
    client: Client, idp: saml.SamlIdentityProvider, target: str
) -> None:
    answer = idp.answer(start(client, next_url=target), email=EMAIL, name="Taro")

    response = finish(client, answer)

    assert signed_in_user(client) is not None
    assert _lands_on_the_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_a_forged_relay_state_stays_on_the_site(
    client: Client, idp: saml.SamlIdentityProvider, target: str
) -> None:
    answer = idp.answer(start(client), email=EMAIL, name="Taro")
    forged = saml.Answer(answer.acs_url, answer.saml_response, target)

    response = finish(client, forged)

    assert signed_in_user(client) is not None
    assert _lands_on_the_site(response["Location"]), response["Location"]


def test_a_same_site_next_is_kept(client: Client, idp: saml.SamlIdentityProvider) -> None:
    answer = idp.answer(start(client, next_url="/requests/"), email=EMAIL, name="Taro")

    assert finish(client, answer)["Location"] == "/requests/"
