"""OpenID Connect's nonce, which allauth's generic provider does not send (R39).

The sign-in request carries a fresh random nonce, kept in the browser's sign-in state beside
allauth's own state and PKCE verifier; the ID token that comes back must carry the same nonce,
or the sign-in is refused. An ID token taken from another sign-in (replayed or injected) fails.
"""

import secrets
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest, HttpResponse

NONCE_BYTES = 32


class NonceOpenIDConnectProvider(OpenIDConnectProvider):
    """allauth's generic OpenID Connect provider, sending a nonce with each sign-in."""

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


def with_nonce(provider: Any) -> Any:
    """Return the provider, sending a nonce when it is the generic OpenID Connect one."""
    if type(provider) is OpenIDConnectProvider:
        return NonceOpenIDConnectProvider(provider.request, app=provider.app)
    return provider


def check_nonce(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Refuse a generic OpenID Connect sign-in whose ID token lacks this browser's nonce."""
    if not isinstance(sociallogin.provider, OpenIDConnectProvider):
        return
    expected = (sociallogin.state or {}).get("nonce") or ""
    id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
    received = id_token.get("nonce") or ""
    if not expected or not secrets.compare_digest(str(received), str(expected)):
        raise ImmediateHttpResponse(render_authentication_error(request, sociallogin.provider))
