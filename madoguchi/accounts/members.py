"""What an organisation admin does to the organisation: invite, remove, change roles, settings.

Every change is audited once, in the same transaction. An organisation always keeps at least one
admin: removing or demoting the last one is refused, with the organisation's row locked so that
two admins demoting each other at the same moment cannot both succeed.
"""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from madoguchi.accounts import invitations
from madoguchi.accounts.models import Invitation, Membership, Organisation, User
from madoguchi.core import audit
from madoguchi.core.errors import DomainError


class LastAdminError(DomainError):
    """The change would leave the organisation without an admin."""


class InvitationRefusedError(DomainError):
    """The address cannot be invited to this organisation."""


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def member_invite(  # noqa: PLR0913  (an invitation's parts, keyword-only)
    organisation: Organisation,
    *,
    email: str,
    role: str,
    invited_by: User,
    language: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite a colleague by email, replacing an open invitation for the same address.

    When the organisation has email domains, only addresses in them may be invited: an
    organisation admin shares the organisation's requests with colleagues, not outsiders.
    The invitation service audits (invitation.created) and queues the mail.
    """
    email = email.strip().lower()
    domains = set(organisation.domains.values_list("domain", flat=True))
    if domains and email_domain(email) not in domains:
        raise InvitationRefusedError(
            _("Only addresses in the organisation's domains can be invited: %(domains)s.")
            % {"domains": ", ".join(sorted(domains))}
        )
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise InvitationRefusedError(_("This person is already a member of the organisation."))
    return invitations.invite(
        email=email,
        organisation=organisation,
        role=role,
        language=language,
        invited_by=invited_by,
        brand_name=_brand_name(request),
        request=request,
    )


def _brand_name(request: HttpRequest | None) -> str:
    brand = getattr(request, "brand", None)
    return brand.name if brand is not None else ""


def invitation_revoke(invitation: Invitation, *, request: HttpRequest | None = None) -> None:
    """Withdraw a pending invitation; its link stops working (audited as invitation.revoked)."""
    invitations.revoke(invitation, request=request)


def _lock_admins(organisation: Organisation) -> list[int]:
    """Lock the organisation's row and return the ids of its admin memberships."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    return list(
        Membership.objects.filter(
            organisation=organisation, role=Membership.Role.ADMIN
        ).values_list("pk", flat=True)
    )


def _refuse_last_admin(admin_ids: list[int], membership: Membership, message: str) -> None:
    if admin_ids == [membership.pk]:
        raise LastAdminError(message)


def member_remove(membership: Membership, *, by: User, request: HttpRequest | None = None) -> None:
    """Take a person out of the organisation; their access to its data ends with the next request.

    Locks the organisation's row. The membership's deletion closes the person's open sockets
    (revocation.py); pages check membership on every request, so no session needs ending.
    """
    with transaction.atomic():
        admin_ids = _lock_admins(membership.organisation)
        _refuse_last_admin(
            admin_ids,
            membership,
            _("%(name)s is the organisation's only admin. Make someone else an admin first.")
            % {"name": membership.user},
        )
        audit.record(
            "membership.removed",
            request=request,
            actor=by,
            target=membership.user,
            data={"organisation": membership.organisation.slug, "role": membership.role},
        )
        membership.delete()


def member_role_change(
    membership: Membership, *, role: str, by: User, request: HttpRequest | None = None
) -> bool:
    """Make a member an admin or an admin a member; return whether anything changed.

    Locks the organisation's row; the last admin cannot be made a member.
    """
    with transaction.atomic():
        admin_ids = _lock_admins(membership.organisation)
        membership.refresh_from_db(fields=["role"])
        if membership.role == role:
            return False
        if role != Membership.Role.ADMIN:
            _refuse_last_admin(
                admin_ids,
                membership,
                _("%(name)s is the organisation's only admin and must stay one.")
                % {"name": membership.user},
            )
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            "membership.role_changed",
            request=request,
            actor=by,
            target=membership.user,
            data={"organisation": membership.organisation.slug, "from": previous, "to": role},
        )
    return True


def organisation_settings_update(
    organisation: Organisation,
    *,
    members_see_all_requests: bool,
    by: User,
    request: HttpRequest | None = None,
) -> bool:
    """Change the settings an organisation admin controls; return whether anything changed."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.members_see_all_requests == members_see_all_requests:
            return False
        locked.members_see_all_requests = members_see_all_requests
        locked.save(update_fields=["members_see_all_requests"])
        audit.record(
            "organisation.settings_changed",
            request=request,
            actor=by,
            target=locked,
            data={"members_see_all_requests": members_see_all_requests},
        )
    organisation.members_see_all_requests = members_see_all_requests
    return True
