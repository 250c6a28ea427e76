"""Reads about people and organisations."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from madoguchi.accounts import scopes
from madoguchi.accounts.models import (
    DataExport,
    Invitation,
    Membership,
    Organisation,
    User,
    UserImport,
)
from madoguchi.core import access
from madoguchi.core.csvsafe import Cell
from madoguchi.core.memo import per_request
from madoguchi.core.prepared import Prepared


def address_has_account(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def user_import_get_for(viewer: User, pk: object) -> UserImport:
    """Return the import if the viewer uploaded it (or is a superuser); else Http404."""
    imports = UserImport.objects.select_related("created_by")
    if not viewer.is_superuser:
        # Another admin's file holds addresses the viewer has not been shown.
        imports = imports.filter(created_by=viewer)
    return get_object_or_404(imports, pk=pk)


EXPORT_CHUNK = 500


def users_export_rows(users: QuerySet[User]) -> Iterator[list[Cell]]:
    """Yield one row per user for the CSV export, reading the database in chunks.

    Columns: name, email, organisations, roles (in the same order, "; "-separated), language,
    date joined, last login, active.
    """
    memberships = Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("organisation").order_by("organisation__name"),
    )
    for user in users.prefetch_related(memberships).iterator(chunk_size=EXPORT_CHUNK):
        places = list(user.memberships.all())
        yield [
            user.name,
            user.email,
            "; ".join(place.organisation.name for place in places),
            "; ".join(place.role for place in places),
            user.language,
            user.date_joined,
            user.last_login,
            user.is_active,
        ]


def organisation_members_for(user: User) -> QuerySet[User]:
    """Return the active members of the user's organisations (the user included), by name."""
    organisations = Membership.objects.filter(user=user).values("organisation")
    members = Membership.objects.filter(organisation__in=organisations).values("user")
    return User.objects.filter(pk__in=members, is_active=True).order_by("name", "email")


@dataclass(frozen=True)
class Place:
    """One of a person's memberships, with what every page asks of it."""

    organisation_id: int
    is_admin: bool
    sees_all_requests: bool  # the organisation's requests, not only their own
    requires_mfa: bool


def places_of(user: User) -> list[Place]:
    """Return the person's memberships, oldest first, read once per request (the MFA check, the
    menu, the request scopes and a new request's organisation all ask)."""
    return per_request(("places", user.pk), lambda: _places(user))


def request_organisation_id(user: User) -> int | None:
    """Return the organisation a person's requests and files belong to: their oldest
    membership's (most people have one)."""
    places = places_of(user)
    return places[0].organisation_id if places else None


# Every signed-in page asks (the MFA check): compiled once (core.prepared).
_PLACES = Prepared(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id)
        .values_list(
            "organisation_id",
            "role",
            "organisation__members_see_all_requests",
            "organisation__require_mfa",
        )
        .order_by("created_at", "pk")
    ),
    int,
)


def _places(user: User) -> list[Place]:
    rows = _PLACES.rows(user.pk)
    return [
        Place(
            organisation_id=organisation,
            is_admin=role == Membership.Role.ADMIN,
            sees_all_requests=role == Membership.Role.ADMIN or members_see_all,
            requires_mfa=requires_mfa,
        )
        for organisation, role, members_see_all, requires_mfa in rows
    ]


def administers_any(user: User) -> bool:
    """Tell whether the person may use an organisation's admin pages (the menu's link)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return any(place.is_admin for place in places_of(user))


def organisations_administered_by(viewer: User) -> QuerySet[Organisation]:
    """Return the organisations the viewer administers, by name."""
    return scopes.administered_organisations(viewer)


def organisation_administered_get_for(viewer: User, slug: str) -> Organisation:
    """Return the organisation if the viewer administers it; else Http404 (members included)."""
    return get_object_or_404(scopes.administered_organisations(viewer), slug=slug)


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    """Return the organisation's memberships with their people, admins first, then by name."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__name", "user__email")
    )


def organisation_pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    """Return the organisation's invitations still waiting for an answer, newest first."""
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def membership_get_for(viewer: User, organisation: Organisation, pk: object) -> Membership:
    """Return one of the organisation's memberships the viewer may see; else Http404."""
    memberships = Membership.objects.filter(organisation=organisation).select_related("user")
    return access.get_visible_or_404(viewer, memberships, pk=pk)


def invitation_pending_get_for(viewer: User, organisation: Organisation, pk: object) -> Invitation:
    """Return one of the organisation's pending invitations the viewer may see; else Http404."""
    return access.get_visible_or_404(viewer, organisation_pending_invitations(organisation), pk=pk)


def data_exports_for(user: User) -> QuerySet[DataExport]:
    """Return the person's own data exports, newest first."""
    return DataExport.objects.filter(user=user).order_by("-created_at")


def user_get(pk: object) -> User | None:
    """Return the user with this id, active or not, or None."""
    return User.objects.filter(pk=pk).first()


def administers(user: User, organisation: Organisation | None) -> bool:
    """Tell whether the user is an admin of the organisation."""
    if organisation is None:
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMIN
    ).exists()


def organisation_admins(organisation: Organisation | None) -> QuerySet[User]:
    """Return the active admins of the organisation."""
    if organisation is None:
        return User.objects.none()
    admins = Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
    return User.objects.filter(pk__in=admins.values("user"), is_active=True)
