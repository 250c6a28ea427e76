"""Single sign-on in a real browser against real identity providers on loopback: npm's
oidc-provider (a certified OpenID provider) and a pysaml2 identity provider."""

from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import Organisation, OrganisationDomain, SsoTrustedDomain, User
from madoguchi.core.models import AuditEvent
from tests.e2e.conftest import BrowserLog, axe_check, localhost_url
from tests.support import oidc, saml

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
EMAIL = "hanako@acme.example"


def _acme() -> Organisation:
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    OrganisationDomain.objects.create(organisation=organisation, domain="acme.example")
    return organisation


def _expect_idp_page_noise(browser_log: BrowserLog) -> None:
    """oidc-provider's development login page asks for a web font and a favicon it lacks."""
    browser_log.expect_console_error("fonts.googleapis.com")
    browser_log.expect_console_error("/favicon.ico")


def _oidc_app(idp: oidc.OidcProvider) -> SocialApp:
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id="acme-idp",
        name="Acme ID",
        client_id=idp.client_id,
        secret=idp.client_secret,
        settings={"server_url": idp.issuer},
    )
    SsoTrustedDomain.objects.create(app=app, domain="acme.example")
    return app


def _start_oidc_sign_in(page: Page) -> None:
    page.goto(reverse("account_login"))
    axe_check(page)
    page.get_by_role("link", name="Acme ID").click()
    # allauth asks before leaving for the provider (a POST, so no sign-in starts on a GET).
    page.get_by_role("button", name="Continue").click()


def _sign_in_at_the_provider(page: Page) -> None:
    page.locator("input[name=login]").fill("hanako")
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # the provider's consent page


def _oidc_callback(live_server: LiveServer) -> str:
    return localhost_url(live_server) + reverse(
        "openid_connect_callback", kwargs={"provider_id": "acme-idp"}
    )


def test_oidc_sign_in_provisions_the_person_in_their_organisation(
    page: Page, live_server: LiveServer, browser_log: BrowserLog
) -> None:
    _expect_idp_page_noise(browser_log)
    acme = _acme()
    with oidc.running(redirect_uri=_oidc_callback(live_server), email=EMAIL, name="Hanako") as idp:
        _oidc_app(idp)
        _start_oidc_sign_in(page)
        _sign_in_at_the_provider(page)

        expect(page.locator(".mdg-user-menu > summary")).to_be_visible()
    user = User.objects.get(email=EMAIL)
    assert list(user.organisations.all()) == [acme]
    account = SocialAccount.objects.get(user=user, provider="acme-idp")
    # The ID token came back with the nonce this browser's sign-in sent (R39).
    assert len(account.extra_data["id_token"]["nonce"]) >= 40
    event = AuditEvent.objects.get(action="auth.sso.login")
    assert event.data["provider"] == "acme-idp"


def test_an_id_token_for_another_sign_in_s_nonce_is_refused(
    page: Page, live_server: LiveServer, browser_log: BrowserLog
) -> None:
    """The provider echoes the nonce it was sent; a token whose nonce is not the one this
    browser's sign-in keeps (a replayed or injected token) signs nobody in."""
    _expect_idp_page_noise(browser_log)
    browser_log.expect_console_error("401 (Unauthorized)")
    _acme()
    with oidc.running(redirect_uri=_oidc_callback(live_server), email=EMAIL, name="Hanako") as idp:
        _oidc_app(idp)
        _start_oidc_sign_in(page)
        _replace_stashed_nonces(page, "a-nonce-from-another-sign-in")
        _sign_in_at_the_provider(page)

        expect(page.locator("main")).to_contain_text("Third-Party Login Failure")
    assert not User.objects.filter(email=EMAIL).exists()
    assert not SocialAccount.objects.exists()


def _replace_stashed_nonces(page: Page, nonce: str) -> None:
    """Change the nonce the portal keeps for the sign-in in progress, as if the token that comes
    back had been issued for another sign-in."""
    key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = SessionStore(session_key=key)
    states = session["socialaccount_states"]
    for state, *_rest in states.values():
        state["nonce"] = nonce
    session["socialaccount_states"] = states
    session.save()


def test_saml_sign_in_in_japanese(
    open_page: OpenPage, live_server: LiveServer, tmp_path: Path
) -> None:
    acme = _acme()
    factory = saml.IdpFactory(tmp_path)
    app = SocialApp.objects.create(
        provider="saml",
        provider_id="acme",
        client_id="acme",
        name="Acme SSO",
        settings=factory.app_settings(),
    )
    SsoTrustedDomain.objects.create(app=app, domain="acme.example")
    host = localhost_url(live_server).removeprefix("http://")
    metadata = Client(HTTP_HOST=host).get(reverse("saml_metadata", args=["acme"]))
    factory.build(metadata.content.decode())
    page = open_page(locale="ja-JP")

    with saml.serving(factory, email=EMAIL, name="山田 花子"):
        page.goto(reverse("account_login"))
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        page.get_by_role("link", name="Acme SSO").click()
        page.locator("main form button[type=submit]").click()
        page.get_by_role("button", name="Continue to the portal").click()

        expect(page.locator(".mdg-user-menu > summary")).to_have_text("山田 花子")
    axe_check(page)
    user = User.objects.get(email=EMAIL)
    assert list(user.organisations.all()) == [acme]
    assert AuditEvent.objects.get(action="auth.sso.login").data["provider"] == "acme"
