from allauth.core import context
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import invitations
from madoguchi.accounts.models import User


class SignupForm(forms.Form):
    """What allauth's sign-up form adds for us: the person's name, and invitation-only brands."""

    name = forms.CharField(label=_("Name"), max_length=150, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request: HttpRequest | None = context.request
        invitation = invitations.remembered(request) if request is not None else None
        if invitation is not None and invitation.name:
            # The name the inviter gave (from a bulk import), for the invitee to keep or correct.
            self.fields["name"].initial = invitation.name

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        # allauth's middleware keeps the request in a context variable; the form is not given it.
        request: HttpRequest | None = context.request
        brand = getattr(request, "brand", None)
        email = cleaned.get("email")
        if brand is None or brand.registration_open or not email:
            return cleaned
        invitation = invitations.remembered(request)
        if invitation is None or invitation.email.lower() != str(email).lower():
            self.add_error(
                "email",
                _("Registration is by invitation only: use the address the invitation went to."),
            )
        return cleaned

    def signup(self, request: HttpRequest, user: User) -> None:
        name = self.cleaned_data.get("name", "").strip()
        if name:
            user.name = name
            user.save(update_fields=["name"])
