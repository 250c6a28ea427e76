"""Deleting one's own account: a grace period to change one's mind, then anonymisation (R34).

At the request the account is deactivated (every session and socket ends) and a due time is
set. Signing in before it offers to cancel. After it, purge_accounts anonymises the account:
its row stays, so the audit log and the organisation's records keep pointing at someone.
"""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.adapter import get_adapter as usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.accounts.models import (
    DataExport,
    Membership,
    Notification,
    NotificationPreference,
    User,
)
from madoguchi.core import audit
from madoguchi.core.errors import DomainError
from madoguchi.core.mail import enqueue_mail
from madoguchi.core.realtime import close_user_sockets

ANONYMOUS_DOMAIN = "deleted.invalid"


class AccountDeletionError(DomainError):
    """The account cannot be deleted this way."""


def deletion_pending(user: User, *, now: datetime | None = None) -> bool:
    """Tell whether the account waits for deletion and can still be restored."""
    due = user.deletion_due_at
    return due is not None and due > (now or timezone.now())


def account_deletion_request(user: User, *, request: HttpRequest | None = None) -> datetime:
    """Close the account now and schedule its anonymisation; return when it is due.

    Agents and admins are refused: their accounts are managed by an admin. Every session of
    the account ends (sockets too) and a mail says how to cancel.
    """
    if user.is_staff or user.is_superuser:
        raise AccountDeletionError(
            _("Accounts of agents and admins are closed by an administrator.")
        )
    due = timezone.now() + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    with transaction.atomic():
        user.deletion_due_at = due
        user.is_active = False
        user.save(update_fields=["deletion_due_at", "is_active"])
        audit.record(
            "account.deletion.requested",
            request=request,
            actor=user,
            target=user,
            data={"due_at": due.isoformat()},
        )
        _mail_deletion_scheduled(user)
    sessions = list(UserSession.objects.filter(user=user))
    usersessions_adapter().end_sessions(sessions)
    return due


def _mail_deletion_scheduled(user: User) -> None:
    context = {
        "user": user,
        "due_at": user.deletion_due_at,
        "link": settings.SITE_URL + reverse("account_login"),
        "brand_name": settings.BRAND_NAME,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/account_deletion_subject.txt", context)
        body = render_to_string("accounts/email/account_deletion_message.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])
    enqueue_mail(message)


def account_deletion_cancel(user: User, *, request: HttpRequest | None = None) -> None:
    """Restore an account waiting for deletion; raise if the grace period is over."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not deletion_pending(locked):
            raise AccountDeletionError(_("This account can no longer be restored."))
        locked.deletion_due_at = None
        locked.is_active = True
        locked.save(update_fields=["deletion_due_at", "is_active"])
        audit.record("account.deletion.cancelled", request=request, actor=locked, target=locked)
    user.refresh_from_db()


def _delete_files_after_commit(user: User) -> None:
    files = [user.avatar] + [export.file for export in DataExport.objects.filter(user=user)]
    for field_file in files:
        if field_file:
            storage, name = field_file.storage, field_file.name
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))


def account_anonymise(user: User) -> None:
    """Replace the person's data in the account by nothing, keeping the row.

    Name and address are replaced, the password made unusable; picture, addresses, second
    factors, sessions, connected accounts, preferences, notifications, exports and memberships
    are removed.
    Audit events keep pointing at the row. Files go after the commit.
    """
    with transaction.atomic():
        _delete_files_after_commit(user)
        for model in (EmailAddress, Authenticator, UserSession, SocialAccount):
            model.objects.filter(user=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        DataExport.objects.filter(user=user).delete()
        Membership.objects.filter(user=user).delete()
        user.departments.clear()
        user.name = ""
        user.email = f"deleted-{user.pk}@{ANONYMOUS_DOMAIN}"
        user.language = ""
        user.time_zone = ""
        user.avatar = ""
        user.deletion_due_at = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
        audit.record("account.deletion.completed", target=user)
    close_user_sockets(user.pk)


def accounts_purge(*, now: datetime | None = None) -> int:
    """Anonymise every account whose grace period has ended; return how many."""
    due = User.objects.filter(deletion_due_at__lte=now or timezone.now(), is_active=False)
    count = 0
    for user in due:
        account_anonymise(user)
        count += 1
    return count
