from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_logged_in, user_signed_up
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from allauth.socialaccount.models import SocialLogin
from django.dispatch import receiver
from django.http import HttpRequest

from madoguchi.accounts import invitations, sessions, sso
from madoguchi.accounts.models import User
from madoguchi.core import audit


@receiver(user_signed_up)
@receiver(user_logged_in)
def accept_invitation_of_session(request: HttpRequest, user: User, **_kwargs: object) -> None:
    """Complete an invitation that brought this person to sign up or sign in."""
    if request is not None and hasattr(request, "session"):
        invitations.accept_remembered(request, user)


@receiver(authenticator_added)
@receiver(authenticator_removed)
@receiver(authenticator_reset)
def end_other_sessions_on_factor_change(
    request: HttpRequest | None, user: User, **_kwargs: object
) -> None:
    """A changed second factor signs the account out everywhere else (R21)."""
    sessions.end_other_sessions(request, user)


@receiver(user_logged_in)
def record_sso_login(
    request: HttpRequest, user: User, sociallogin: SocialLogin | None = None, **_kwargs: object
) -> None:
    if sociallogin is None:
        return
    app = sociallogin.provider.app
    audit.record(
        "auth.sso.login",
        request=request,
        actor=user,
        target=user,
        data={"provider": sociallogin.account.provider, "app": app.name if app else ""},
    )


@receiver(email_confirmed)
def join_organisation_of_confirmed_address(
    request: HttpRequest | None, email_address: EmailAddress, **_kwargs: object
) -> None:
    """A proven address in an organisation's domain places its person in that organisation,
    however the account began (sign-up, or a provider not trusted for the domain)."""
    user = email_address.user
    if email_address.email.lower() != user.email.lower() or user.memberships.exists():
        return
    organisation = sso.join_organisation_by_domain(user)
    if organisation is not None:
        audit.record(
            "membership.joined_by_domain",
            request=request,
            actor=user,
            target=user,
            data={"organisation": organisation.slug},
        )
