"""Reads about people and organisations."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from madoguchi.accounts.models import DataExport, Membership, User, UserImport
from madoguchi.core.csvsafe import Cell


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


def data_exports_for(user: User) -> QuerySet[DataExport]:
    """Return the person's own data exports, newest first."""
    return DataExport.objects.filter(user=user).order_by("-created_at")


def user_get(pk: object) -> User | None:
    """Return the user with this id, active or not, or None."""
    return User.objects.filter(pk=pk).first()
