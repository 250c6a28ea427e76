"""Our version of an allauth form, in a module of its own: allauth.account.forms imports
madoguchi.accounts.forms (the sign-up form class), so that module cannot import allauth's forms."""

from allauth.account import forms as allauth_forms
from allauth.account.models import EmailAddress


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
