"""Single sign-on rules: which identity provider may vouch for which address, where new people
land, and who must sign in through SSO only.

The protocols themselves (OpenID Connect, SAML 2.0) are allauth's; this module only decides.
"""

import copy
from typing import Any

from allauth.socialaccount.models import SocialApp
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Membership, Organisation, SsoTrustedDomain, User

SSO_ONLY_MESSAGE = _(
    "Your organisation signs in through single sign-on. "
    "Use your organisation's sign-in button below instead of a password."
)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def is_trusted(app: SocialApp | None, email: str) -> bool:
    """Whether the provider configured as app may vouch for this address (R39)."""
    if app is None or app.pk is None or not email:
        return False
    return SsoTrustedDomain.objects.filter(app=app, domain=email_domain(email)).exists()


def organisation_for(email: str) -> Organisation | None:
    """The organisation owning the address's domain, if any."""
    return Organisation.objects.filter(domains__domain=email_domain(email)).first()


@transaction.atomic
def join_organisation_by_domain(user: User) -> Organisation | None:
    """Place a person whose verified address is in an organisation's domain in it."""
    organisation = organisation_for(user.email)
    if organisation is not None:
        Membership.objects.get_or_create(user=user, organisation=organisation)
    return organisation


def requires_sso(user: User | None) -> bool:
    """Whether the person must sign in through SSO: their address is in an SSO-only organisation.

    Superusers keep their password so a broken identity provider cannot lock the portal out.
    """
    if user is None or user.pk is None or user.is_superuser or not user.email:
        return False
    return Organisation.objects.filter(
        sso_only=True, domains__domain=email_domain(user.email)
    ).exists()


# SAML security that an admin's settings cannot loosen: python3-saml checks audience,
# recipient, NotOnOrAfter and the signature; InResponseTo is matched against allauth's state.
_SAML_ENFORCED = {
    "strict": True,
    "want_assertion_signed": True,
    "reject_idp_initiated_sso": True,
    "reject_deprecated_algorithm": True,
}


def hardened_saml_settings(settings: dict[str, Any]) -> dict[str, Any]:
    hardened = copy.deepcopy(settings)
    advanced = hardened.setdefault("advanced", {})
    advanced.update(_SAML_ENFORCED)
    return hardened
