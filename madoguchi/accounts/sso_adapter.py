"""allauth's social-account hooks, bent to Madoguchi's SSO rules (see madoguchi.accounts.sso)."""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest

from madoguchi.accounts import oidc, sso
from madoguchi.accounts.models import User


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def _harden(self, app: SocialApp) -> SocialApp:
        if app.provider == "saml":
            app.settings = sso.hardened_saml_settings(app.settings or {})
        return app

    def get_app(self, request: HttpRequest, provider: str, client_id: str | None = None):
        return self._harden(super().get_app(request, provider, client_id=client_id))

    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        return [self._harden(app) for app in apps]

    def get_provider(self, request: HttpRequest, provider: str, client_id: str | None = None):
        found = super().get_provider(request, provider, client_id=client_id)
        return oidc.with_nonce(found)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        oidc.check_nonce(request, sociallogin)
        super().pre_social_login(request, sociallogin)

    def can_authenticate_by_email(self, login: SocialLogin, email: str) -> bool:
        """Sign in to an existing account by address only through a provider trusted for it."""
        return sso.is_trusted(login.provider.app, email)

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[User, str] | None:
        """Called for every sign-in through a provider account not seen before, before anything
        uses its addresses. An address counts as verified only when the provider is trusted for
        its domain: whatever a provider claims, an untrusted one could assert anybody's (R39)."""
        app = sociallogin.provider.app
        for address in sociallogin.email_addresses:
            address.verified = sso.is_trusted(app, address.email)
        return super().authenticate_by_email(sociallogin)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        full_name = " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        user.name = (data.get("name") or full_name or "")[: User._meta.get_field("name").max_length]
        return user

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: BaseForm | None = None
    ) -> AbstractBaseUser:
        """Just-in-time provisioning: a vouched-for person joins their organisation at once."""
        user = super().save_user(request, sociallogin, form=form)
        if sso.is_trusted(sociallogin.provider.app, user.email):
            sso.join_organisation_by_domain(user)
        return user
