"""Deleting one's account: closed at once, restorable in the grace period, then anonymised."""

import io
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts import data_exports, deletion, notifications, profile
from madoguchi.accounts.avatars import avatar_clean
from madoguchi.accounts.models import DataExport, Membership, NotificationPreference, User
from madoguchi.core import audit
from madoguchi.core.models import AuditEvent
from tests.accounts.selfservice_helpers import picture

pytestmark = pytest.mark.django_db


def test_a_request_closes_the_account_and_ends_its_sessions(alice: User, mailoutbox) -> None:
    device = Client()
    device.force_login(alice)
    device.get(reverse("core:home"))
    assert UserSession.objects.filter(user=alice).exists()

    due = deletion.account_deletion_request(alice)

    alice.refresh_from_db()
    assert not alice.is_active
    assert alice.deletion_due_at == due
    assert due - timezone.now() > timedelta(days=13)
    assert not UserSession.objects.filter(user=alice).exists()
    assert device.get(reverse("accounts:overview")).status_code == 302
    assert AuditEvent.objects.filter(action="account.deletion.requested", actor=alice).count() == 1
    assert "deleted" in mailoutbox[-1].subject


def test_staff_cannot_delete_their_own_account(dave: User) -> None:
    with pytest.raises(deletion.AccountDeletionError):
        deletion.account_deletion_request(dave)


def test_a_cancel_in_the_grace_period_restores_the_account(alice: User) -> None:
    deletion.account_deletion_request(alice)

    deletion.account_deletion_cancel(alice)

    assert alice.is_active
    assert alice.deletion_due_at is None
    assert AuditEvent.objects.filter(action="account.deletion.cancelled").count() == 1


def test_purging_waits_for_the_grace_period(alice: User) -> None:
    deletion.account_deletion_request(alice)

    assert deletion.accounts_purge() == 0
    assert deletion.accounts_purge(now=timezone.now() + timedelta(days=15)) == 1
    with pytest.raises(deletion.AccountDeletionError):
        deletion.account_deletion_cancel(alice)


def test_anonymising_removes_personal_data_and_keeps_the_audit_log(
    alice: User, bob: User, org_a, django_capture_on_commit_callbacks
) -> None:
    profile.avatar_replace(alice, picture=avatar_clean(picture("PNG")))
    alice.refresh_from_db()
    avatar_storage, avatar_name = alice.avatar.storage, alice.avatar.name
    notifications.preferences_set(alice, enabled=set())
    export = data_exports.data_export_request(alice)
    export.refresh_from_db()
    export_name = export.file.name
    earlier = audit.record("auth.login", actor=alice)
    deletion.account_deletion_request(alice)
    user = User.objects.get(pk=alice.pk)

    output = io.StringIO()
    with (
        time_machine.travel(timezone.now() + timedelta(days=15)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("purge_accounts", stdout=output)

    user.refresh_from_db()
    assert output.getvalue().strip() == "Anonymised 1 account(s)."
    assert user.email.endswith("@deleted.invalid")
    assert user.name == ""
    assert not user.has_usable_password()
    assert not user.is_active
    assert not user.avatar
    assert not avatar_storage.exists(avatar_name)
    assert not avatar_storage.exists(export_name)
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert not DataExport.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    # The organisation and its other members are untouched; the audit log still points here.
    assert list(org_a.members.all()) == [bob]
    assert AuditEvent.objects.get(pk=earlier.pk).actor == user
    assert AuditEvent.objects.filter(action="account.deletion.completed").get().target_id == str(
        user.pk
    )
