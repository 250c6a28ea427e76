from allauth.account.signals import user_logged_in, user_signed_up
from django.dispatch import receiver
from django.http import HttpRequest

from madoguchi.accounts import invitations
from madoguchi.accounts.models import User


@receiver(user_signed_up)
@receiver(user_logged_in)
def accept_invitation_of_session(request: HttpRequest, user: User, **_kwargs: object) -> None:
    """Complete an invitation that brought this person to sign up or sign in."""
    if request is not None and hasattr(request, "session"):
        invitations.accept_remembered(request, user)
