"""Forms of the organisation admin pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Membership


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role, initial=Membership.Role.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role)


class SettingsForm(forms.Form):
    members_see_all_requests = forms.BooleanField(
        label=_("Members see all of the organisation's requests"),
        required=False,
        help_text=_("When off, members see only their own requests; admins always see all."),
    )
