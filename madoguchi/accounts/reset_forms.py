"""Our version of an allauth form, in a module of its own: allauth.account.forms imports
madoguchi.accounts.forms (the sign-up form class), so that module cannot import allauth's forms."""

from allauth.account import forms as allauth_forms
from allauth.account.models import EmailAddress
from django import forms

from madoguchi.accounts import sso


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """Send reset links only to verified addresses (R22): an unproven one could be anyone's."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = [
            user
            for user in self.users
            if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
        ]
        return email


class LoginForm(allauth_forms.LoginForm):
    """Members of an SSO-only organisation are sent to their identity provider.

    Told only after the right password, so the refusal reveals nothing to a guesser (R23).
    """

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if sso.requires_sso(getattr(self, "user", None)):
            raise forms.ValidationError(sso.SSO_ONLY_MESSAGE, code="sso_only")
        return cleaned
