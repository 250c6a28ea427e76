"""What each person may see of people and organisations (registered with core.access)."""

from allauth.usersessions.models import UserSession
from django.db.models import QuerySet

from madoguchi.accounts import inbox
from madoguchi.accounts.models import (
    DataExport,
    Invitation,
    Membership,
    Notification,
    Organisation,
    User,
)
from madoguchi.core import access


def _organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user)


def _administered(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ADMIN
    )


def organisations(user: User, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return queryset if user.is_staff else queryset.filter(pk__in=_organisations(user))


def memberships(user: User, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    return queryset if user.is_staff else queryset.filter(organisation__in=_organisations(user))


def invitations(user: User, queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Agents see every invitation; organisation admins those of their organisations."""
    return queryset if user.is_staff else queryset.filter(organisation__in=_administered(user))


def people(user: User, queryset: QuerySet[User]) -> QuerySet[User]:
    """Customers see themselves and the members of their organisations."""
    if user.is_staff:
        return queryset
    colleagues = Membership.objects.filter(organisation__in=_organisations(user)).values("user")
    return queryset.filter(pk__in=colleagues) | queryset.filter(pk=user.pk)


def administered_organisations(user: User) -> QuerySet[Organisation]:
    """Return the organisations whose admin pages the user may use: those they administer.

    Being an agent gives no way in: agents manage organisations in the staff area.
    """
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return _administered(user).order_by("name")


def may_use_portal(user: User) -> bool:
    """Tell whether a signed-in person may see the portal's content.

    Agents always may; a customer must have been approved (restricted brands hold sign-ups).
    """
    if user.is_staff:
        return True
    return user.approval == User.Approval.APPROVED


def own_sessions(user: User, queryset: QuerySet[UserSession]) -> QuerySet[UserSession]:
    return queryset.filter(user=user)


def own_exports(user: User, queryset: QuerySet[DataExport]) -> QuerySet[DataExport]:
    """An export is its owner's alone: not even agents may download someone's personal data."""
    return queryset.filter(user=user)


def register() -> None:
    access.register(Organisation, organisations)
    access.register(Membership, memberships)
    access.register(Invitation, invitations)
    access.register(User, people)
    access.register(UserSession, own_sessions)
    access.register(DataExport, own_exports)
    access.register(Notification, inbox.own_notifications)
