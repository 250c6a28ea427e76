"""The personal data of accounts and of the identity libraries it builds on (see personal_data)."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import (
    DataExport,
    Department,
    Invitation,
    Membership,
    NotificationPreference,
    Organisation,
    OrganisationDomain,
    User,
    UserImport,
)
from madoguchi.core.models import AuditEvent, IdempotencyKey


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> Iterator[dict[str, Any]]:
    yield {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "time_zone": user.time_zone,
        "date_joined": _time(user.date_joined),
        "last_login": _time(user.last_login),
        "avatar": "files/avatar" if user.avatar else None,
        "deletion_due_at": _time(user.deletion_due_at),
    }


def _memberships(user: User) -> Iterator[dict[str, Any]]:
    for row in Membership.objects.filter(user=user).select_related("organisation"):
        yield {
            "organisation": row.organisation.name,
            "role": row.role,
            "since": _time(row.created_at),
        }


def _invitations(user: User) -> Iterator[dict[str, Any]]:
    """Invitations addressed to the person (those they sent hold other people's data)."""
    for row in Invitation.objects.filter(email__iexact=user.email).select_related("organisation"):
        yield {
            "name": row.name,
            "organisation": row.organisation.name if row.organisation else None,
            "role": row.role,
            "created_at": _time(row.created_at),
            "accepted_at": _time(row.accepted_at),
        }


def _groups(user: User) -> Iterator[dict[str, Any]]:
    for name in Department.objects.filter(members=user).values_list("name", flat=True):
        yield {"name": name}


def _preferences(user: User) -> Iterator[dict[str, Any]]:
    for row in NotificationPreference.objects.filter(user=user).order_by("event", "channel"):
        yield {"event": row.event, "channel": row.channel, "enabled": row.enabled}


def _exports(user: User) -> Iterator[dict[str, Any]]:
    for row in DataExport.objects.filter(user=user):
        yield {
            "created_at": _time(row.created_at),
            "status": row.status,
            "downloaded_at": _time(row.downloaded_at),
        }


def _addresses(user: User) -> Iterator[dict[str, Any]]:
    for row in EmailAddress.objects.filter(user=user):
        yield {"email": row.email, "verified": row.verified, "primary": row.primary}


def _authenticators(user: User) -> Iterator[dict[str, Any]]:
    """The kinds of second factor and when they were used; never their secrets."""
    for row in Authenticator.objects.filter(user=user):
        yield {
            "type": row.type,
            "created_at": _time(row.created_at),
            "last_used_at": _time(row.last_used_at),
        }


def _sessions(user: User) -> Iterator[dict[str, Any]]:
    for row in UserSession.objects.filter(user=user):
        yield {
            "ip": row.ip,
            "user_agent": row.user_agent,
            "created_at": _time(row.created_at),
            "last_seen_at": _time(row.last_seen_at),
        }


def _social_accounts(user: User) -> Iterator[dict[str, Any]]:
    for row in SocialAccount.objects.filter(user=user):
        yield {
            "provider": row.provider,
            "uid": row.uid,
            "date_joined": _time(row.date_joined),
            "last_login": _time(row.last_login),
        }


def _audit_events(user: User) -> Iterator[dict[str, Any]]:
    """What the person did, from where; the other people named in an event are left out."""
    for row in AuditEvent.objects.filter(actor=user):
        yield {
            "time": _time(row.created_at),
            "action": row.action,
            "ip": row.ip,
            "user_agent": row.user_agent,
        }


def register() -> None:
    personal_data.section("profile", _profile)
    personal_data.export(Membership, "memberships", _memberships)
    personal_data.export(Invitation, "invitations", _invitations)
    personal_data.export(Department, "groups", _groups)
    personal_data.export(NotificationPreference, "notification_preferences", _preferences)
    personal_data.export(DataExport, "data_exports", _exports)
    personal_data.export(EmailAddress, "email_addresses", _addresses)
    personal_data.export(Authenticator, "two_factor_authenticators", _authenticators)
    personal_data.export(UserSession, "sessions", _sessions)
    personal_data.export(SocialAccount, "connected_accounts", _social_accounts)
    personal_data.export(AuditEvent, "activity", _audit_events)
    personal_data.exclude(
        Organisation,
        "The organisation's own record; the person's place in it is exported as memberships.",
    )
    personal_data.exclude(
        OrganisationDomain, "An organisation's email domain: configuration, not about a person."
    )
    personal_data.exclude(
        UserImport,
        "An admin's working copy of an imported file: other people's data, kept for days only.",
    )
    personal_data.exclude(
        IdempotencyKey,
        "A technical record of API retries, kept a day; the requests it made are exported.",
    )
    personal_data.exclude(
        LogEntry,
        "Django admin's change history of staff work on records; the audit log covers people.",
    )
