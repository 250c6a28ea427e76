"""The security policy in the admin: one page, superusers only, checked so no admin locks out."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.accounts import security_policy
from madoguchi.accounts.models import SecurityPolicy
from madoguchi.core.http import client_ip
from madoguchi.core.networks import address_in, parse_network_lines


class SecurityPolicyForm(forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = ["staff_require_mfa", "staff_ip_allowlist"]
        widgets = {"staff_ip_allowlist": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})}

    # The admin's own address, set by the admin class: a list without it would lock them out.
    current_address: str | None = None

    def clean_staff_ip_allowlist(self) -> str:
        text = self.cleaned_data["staff_ip_allowlist"]
        networks = parse_network_lines(text)
        if networks and not address_in(self.current_address, networks):
            raise ValidationError(
                _(
                    "Your current address (%(address)s) is not in this list: saving it would lock "
                    "you out of the admin. Add your address or network first."
                ),
                code="self_lockout",
                params={"address": self.current_address or _("unknown")},
            )
        return "\n".join(line.strip() for line in text.strip().splitlines())


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    form = SecurityPolicyForm

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """There is one policy: the list opens it."""
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        row = security_policy.policy_row()
        return HttpResponseRedirect(reverse("admin:accounts_securitypolicy_change", args=[row.pk]))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_address = client_ip(request)
        return form

    def save_model(self, request: HttpRequest, obj: SecurityPolicy, form: Any, change: bool):
        security_policy.policy_save(obj, by=request.user, request=request)
