"""The identity providers' admin: allauth's SocialApp page with the domains each is trusted for."""

from allauth.socialaccount import admin as allauth_admin
from allauth.socialaccount.models import SocialApp
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from madoguchi.accounts.models import SsoTrustedDomain
from madoguchi.core import audit


class TrustedDomainInline(admin.TabularInline):
    model = SsoTrustedDomain
    extra = 1


# allauth registered its own admin on import; ours replaces it with the trusted domains inline.
admin.site.unregister(SocialApp)


@admin.register(SocialApp)
class SocialAppAdmin(allauth_admin.SocialAppAdmin):
    inlines = [TrustedDomainInline]

    def save_model(
        self, request: HttpRequest, obj: SocialApp, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            "sso.provider.changed" if change else "sso.provider.added",
            request=request,
            target=obj,
            data={"provider": obj.provider, "provider_id": obj.provider_id},
        )

    def delete_model(self, request: HttpRequest, obj: SocialApp) -> None:
        audit.record(
            "sso.provider.deleted",
            request=request,
            target=obj,
            data={"provider": obj.provider, "provider_id": obj.provider_id},
        )
        super().delete_model(request, obj)
