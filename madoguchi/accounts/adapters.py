from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest

from madoguchi.accounts import invitations
from madoguchi.accounts.models import User
from madoguchi.core.mail import enqueue_mail


class AccountAdapter(DefaultAccountAdapter):
    """Madoguchi's rules for allauth: mail through the task queue, the brand's access mode."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        enqueue_mail(self.render_mail(template_prefix, email, context))

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
        if commit:
            user.save()
        return user
