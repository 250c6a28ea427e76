"""R39 for OpenID Connect ID tokens: issuer, audience and expiry are checked before anyone signs in
(the nonce round trip is proven against the real provider in tests/e2e/test_sso.py)."""

import time

import jwt
import pytest
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.test import RequestFactory

from madoguchi.accounts import oidc

ISSUER = "https://id.acme.example"
CLIENT_ID = "portal"


def _adapter() -> OpenIDConnectOAuth2Adapter:
    adapter = OpenIDConnectOAuth2Adapter(RequestFactory().get("/"), "acme")
    adapter._openid_config = {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"}
    # The token came straight from the provider's token endpoint over TLS (OIDC Core 3.1.3.7).
    adapter.did_fetch_access_token = True
    return adapter


def _token(**claims: object) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "42", "iat": now, "exp": now + 300, **claims}
    return jwt.encode(body, "not-checked-here", algorithm="HS256")


def test_a_token_from_the_provider_for_this_portal_is_read() -> None:
    app = SocialApp(provider="openid_connect", client_id=CLIENT_ID)

    assert _adapter()._decode_id_token(app, _token(nonce="n"))["nonce"] == "n"


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-client"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["other issuer", "other audience", "expired"],
)
def test_a_token_for_another_issuer_audience_or_time_is_refused(claims: dict) -> None:
    app = SocialApp(provider="openid_connect", client_id=CLIENT_ID)

    with pytest.raises(OAuth2Error):
        _adapter()._decode_id_token(app, _token(**claims))


def test_only_the_generic_provider_gets_the_nonce_sending_class() -> None:
    app = SocialApp(provider="openid_connect", provider_id="acme", client_id=CLIENT_ID)
    generic = OpenIDConnectProvider(RequestFactory().get("/"), app=app)

    assert isinstance(oidc.with_nonce(generic), oidc.NonceOpenIDConnectProvider)
    assert oidc.with_nonce(app) is app
