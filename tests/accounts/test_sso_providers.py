"""Identity providers an admin adds show as buttons on the sign-in page (en and ja) and send the
person to the right place; the OpenID Connect callback is rate limited; the rules in
madoguchi.accounts.sso."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from madoguchi.accounts import sso
from madoguchi.accounts.models import Organisation, OrganisationDomain, SsoTrustedDomain, User
from madoguchi.core.models import AuditEvent
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db

AUTHORIZE_URLS = {
    "google": "https://accounts.google.com/o/oauth2/v2/auth",
    "microsoft": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
}


@pytest.fixture
def social_apps() -> list[SocialApp]:
    return [
        SocialApp.objects.create(
            provider=provider, name=name, client_id=f"{provider}-client", secret="not-used"
        )
        for provider, name in [("google", "Google"), ("microsoft", "Microsoft")]
    ]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_configured_provider_has_a_button(social_apps: list[SocialApp], language: str) -> None:
    page = Client(headers={"accept-language": language}).get(reverse("account_login"))

    body = page.content.decode()
    for app in social_apps:
        assert f'href="/accounts/{app.provider}/login/' in body
        assert f">{app.name}<" in body.replace("\n", "").replace("  ", "")


def test_no_provider_no_buttons() -> None:
    body = Client().get(reverse("account_login")).content.decode()

    assert "/accounts/google/login/" not in body


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_a_provider_button_leads_to_its_authorize_url_with_state_and_pkce(
    social_apps: list[SocialApp], provider: str
) -> None:
    client = Client()
    confirm = client.get(reverse(f"{provider}_login"))
    assert confirm.status_code == 200
    assert "https:" in confirm["Content-Security-Policy"]

    response = client.post(reverse(f"{provider}_login"))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == AUTHORIZE_URLS[provider]
    query = parse_qs(location.query)
    assert query["client_id"] == [f"{provider}-client"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]


def test_the_oidc_callback_is_rate_limited(settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "sso_callback": "2/m/ip"}
    url = reverse("openid_connect_callback", kwargs={"provider_id": "acme"})
    client = Client()

    statuses = [client.get(url, {"code": "x", "state": "y"}).status_code for _ in range(3)]

    assert statuses[:2] != [429, 429]
    assert statuses[2] == 429
    assert client.get(url)["Retry-After"] == "60"


@pytest.fixture
def app() -> SocialApp:
    app = SocialApp.objects.create(provider="openid_connect", provider_id="acme", name="Acme")
    SsoTrustedDomain.objects.create(app=app, domain=" @Acme.Example. ")
    return app


def test_a_provider_is_trusted_only_for_its_domains(app: SocialApp) -> None:
    assert sso.is_trusted(app, "someone@ACME.example")
    assert not sso.is_trusted(app, "someone@evil.example")
    assert not sso.is_trusted(app, "someone@sub.acme.example")
    other = SocialApp.objects.create(provider="openid_connect", provider_id="other", name="O")
    assert not sso.is_trusted(other, "someone@acme.example")


def test_joining_by_domain_places_the_person_once() -> None:
    acme = Organisation.objects.create(name="Acme", slug="acme")
    OrganisationDomain.objects.create(organisation=acme, domain="acme.example")
    user = make_user("new@acme.example")

    assert sso.join_organisation_by_domain(user) == acme
    assert sso.join_organisation_by_domain(user) == acme
    assert list(user.organisations.all()) == [acme]
    assert sso.join_organisation_by_domain(make_user("x@elsewhere.example")) is None


def test_sso_only_applies_to_addresses_in_the_organisations_domains() -> None:
    acme = Organisation.objects.create(name="Acme", slug="acme", sso_only=True)
    OrganisationDomain.objects.create(organisation=acme, domain="acme.example")
    inside = make_user("in@acme.example")
    outside = make_user("out@example.com")
    add_member(outside, acme)

    assert sso.requires_sso(inside)
    assert not sso.requires_sso(outside)
    acme.sso_only = False
    acme.save()
    assert not sso.requires_sso(User.objects.get(pk=inside.pk))


def test_saml_settings_cannot_be_loosened() -> None:
    loose = {"advanced": {"strict": False, "want_assertion_signed": False}, "idp": {}}

    hardened = sso.hardened_saml_settings(loose)

    assert hardened["advanced"]["strict"] is True
    assert hardened["advanced"]["want_assertion_signed"] is True
    assert hardened["advanced"]["reject_idp_initiated_sso"] is True
    assert loose["advanced"]["strict"] is False


def test_an_admin_adds_a_provider_with_its_trusted_domains_and_it_is_audited(erin: User) -> None:
    client = Client()
    client.force_login(erin)
    prefix = "trusted_domains"

    response = client.post(
        reverse("admin:socialaccount_socialapp_add"),
        {
            "provider": "openid_connect",
            "provider_id": "acme-id",
            "name": "Acme ID",
            "client_id": "portal",
            "secret": "s3cret",
            "key": "",
            "settings": '{"server_url": "https://id.acme.example"}',
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-domain": "Acme.Example",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    app = SocialApp.objects.get(provider_id="acme-id")
    assert list(app.trusted_domains.values_list("domain", flat=True)) == ["acme.example"]
    event = AuditEvent.objects.get(action="sso.provider.added")
    assert event.actor == erin and event.data["provider_id"] == "acme-id"
    assert "s3cret" not in str(event.data)


def test_an_oidc_callback_without_the_browser_s_state_signs_nobody_in() -> None:
    """A code from someone else's sign-in cannot be injected: the state must be this browser's."""
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="acme",
        name="Acme",
        client_id="portal",
        settings={"server_url": "http://127.0.0.1:9/"},
    )
    client = Client()
    url = reverse("openid_connect_callback", kwargs={"provider_id": "acme"})

    response = client.get(url, {"code": "stolen", "state": "forged"})

    assert response.status_code in {400, 401, 403}
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()
