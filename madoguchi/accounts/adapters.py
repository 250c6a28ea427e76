from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from madoguchi.accounts import deletion, deletion_signin, invitations, profile, sso
from madoguchi.accounts.models import User
from madoguchi.core.mail import enqueue_mail

# Mails that would let a member of an SSO-only organisation in without SSO; they get a pointer
# to their organisation's sign-in button instead. The page shown is the same either way (R23).
SSO_GUARDED_MAILS = frozenset({"account/email/login_code", "account/email/password_reset_key"})
SSO_ONLY_MAIL = "account/email/sso_only"


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates call the site: the brand, not the request's host name."""

    name: str
    domain: str


def mail_site(request: HttpRequest | None) -> MailSite:
    brand = getattr(request, "brand", None)
    name = brand.name if brand is not None else settings.BRAND_NAME
    host = brand.host if brand is not None and brand.host else urlsplit(settings.SITE_URL).netloc
    return MailSite(name=name, domain=host)


class AccountAdapter(DefaultAccountAdapter):
    """Madoguchi's rules for allauth: mail through the task queue, the brand's access mode."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        site = mail_site(allauth_context.request)
        if template_prefix in SSO_GUARDED_MAILS and sso.requires_sso(
            User.objects.filter(email__iexact=email).first()
        ):
            template_prefix = SSO_ONLY_MAIL
            login_path = reverse("account_login")
            context = {
                "email": email,
                "login_url": f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{site.domain}{login_path}",
            }
        context["current_site"] = site
        enqueue_mail(self.render_mail(template_prefix, email, context))

    def format_email_subject(self, subject: str) -> str:
        return f"[{mail_site(allauth_context.request).name}] {subject}"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Private brands take only invited people; public and restricted ones anybody."""
        brand = getattr(request, "brand", None)
        if brand is None or brand.registration_open:
            return True
        return invitations.remembered(request) is not None

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        user = super().save_user(request, user, form, commit=False)
        brand = getattr(request, "brand", None)
        invitation = invitations.remembered(request)
        invited = invitation is not None and invitation.email.lower() == user.email.lower()
        if brand is not None and brand.needs_approval and not invited:
            user.approval = User.Approval.PENDING
        if not user.language:
            # The language the person signed up in: later mail (such as an approval) speaks it.
            user.language = translation.get_language() or ""
        if commit:
            user.save()
        return user

    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        """Offer an account waiting for deletion the way back instead of "inactive".

        Members of an SSO-only organisation get in through their identity provider only: not by
        a passkey, a mailed code or a confirmation link either (the password form refuses them
        itself, with the same message).
        """
        if not user.is_active and deletion.deletion_pending(user):
            deletion_signin.remember(request, user)
            return redirect("accounts:deletion_pending")
        if sso.requires_sso(user) and "sociallogin" not in (kwargs.get("signal_kwargs") or {}):
            clear_login(request)
            messages.error(request, sso.SSO_ONLY_MESSAGE)
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        """Speak the language saved in the person's profile, on whichever device they sign in."""
        response = super().post_login(request, user, **kwargs)
        language = getattr(user, "language", "")
        if language and isinstance(response, HttpResponse):
            translation.activate(language)
            profile.language_cookie_set(response, language)
        return response
