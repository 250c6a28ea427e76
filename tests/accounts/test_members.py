import pytest

from madoguchi.accounts import members
from madoguchi.accounts.models import Invitation, Membership, Organisation, OrganisationDomain, User
from madoguchi.core.models import AuditEvent
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


def _membership(user: User) -> Membership:
    return user.memberships.get()


def test_invite_mails_the_colleague_and_audits_once(
    smtp_server, org_a: Organisation, bob: User
) -> None:
    invitation = members.member_invite(
        org_a, email=" New.Colleague@Example.com ", role=Membership.Role.MEMBER, invited_by=bob
    )

    assert invitation.email == "new.colleague@example.com"
    assert invitation.organisation == org_a
    [message] = smtp_server.messages
    assert message["To"] == "new.colleague@example.com"
    assert AuditEvent.objects.filter(action="invitation.created", actor=bob).count() == 1


def test_invite_is_held_to_the_organisations_domains(
    smtp_server, org_a: Organisation, bob: User
) -> None:
    OrganisationDomain.objects.create(organisation=org_a, domain="acme.example")

    with pytest.raises(members.InvitationRefusedError, match=r"acme\.example"):
        members.member_invite(
            org_a, email="someone@elsewhere.example", role=Membership.Role.MEMBER, invited_by=bob
        )
    members.member_invite(
        org_a, email="someone@acme.example", role=Membership.Role.MEMBER, invited_by=bob
    )

    assert list(Invitation.objects.values_list("email", flat=True)) == ["someone@acme.example"]
    assert len(smtp_server.messages) == 1


def test_invite_refuses_a_current_member(org_a: Organisation, alice: User, bob: User) -> None:
    with pytest.raises(members.InvitationRefusedError):
        members.member_invite(
            org_a, email="ALICE@example.com", role=Membership.Role.MEMBER, invited_by=bob
        )

    assert not Invitation.objects.exists()


def test_remove_takes_the_member_out_and_audits_once(alice: User, bob: User) -> None:
    members.member_remove(_membership(alice), by=bob)

    assert not alice.memberships.exists()
    event = AuditEvent.objects.get(action="membership.removed")
    assert (event.actor, event.target_id) == (bob, str(alice.pk))
    assert event.data == {"organisation": "acme", "role": "member"}


def test_the_last_admin_cannot_be_removed(bob: User) -> None:
    with pytest.raises(members.LastAdminError, match="only admin"):
        members.member_remove(_membership(bob), by=bob)

    assert bob.memberships.exists()
    assert not AuditEvent.objects.filter(action="membership.removed").exists()


def test_an_admin_may_leave_when_another_admin_remains(org_a: Organisation, bob: User) -> None:
    second = make_user("second@example.com")
    add_member(second, org_a, Membership.Role.ADMIN)

    members.member_remove(_membership(bob), by=bob)

    assert list(org_a.memberships.values_list("user__email", flat=True)) == ["second@example.com"]


def test_role_change_promotes_and_audits_once(alice: User, bob: User) -> None:
    changed = members.member_role_change(_membership(alice), role=Membership.Role.ADMIN, by=bob)

    assert changed
    assert _membership(alice).role == Membership.Role.ADMIN
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.data == {"organisation": "acme", "from": "member", "to": "admin"}


def test_role_change_to_the_same_role_changes_nothing(alice: User, bob: User) -> None:
    changed = members.member_role_change(_membership(alice), role=Membership.Role.MEMBER, by=bob)

    assert not changed
    assert not AuditEvent.objects.exists()


def test_the_last_admin_cannot_be_demoted(alice: User, bob: User) -> None:
    with pytest.raises(members.LastAdminError, match="must stay"):
        members.member_role_change(_membership(bob), role=Membership.Role.MEMBER, by=bob)

    assert _membership(bob).role == Membership.Role.ADMIN


def test_an_admin_may_be_demoted_when_another_remains(alice: User, bob: User) -> None:
    members.member_role_change(_membership(alice), role=Membership.Role.ADMIN, by=bob)

    members.member_role_change(_membership(bob), role=Membership.Role.MEMBER, by=alice)

    assert _membership(bob).role == Membership.Role.MEMBER


def test_settings_change_is_saved_and_audited_once(org_a: Organisation, bob: User) -> None:
    assert members.organisation_settings_update(org_a, members_see_all_requests=True, by=bob)
    assert not members.organisation_settings_update(org_a, members_see_all_requests=True, by=bob)

    org_a.refresh_from_db()
    assert org_a.members_see_all_requests
    event = AuditEvent.objects.get(action="organisation.settings_changed")
    assert event.data == {"members_see_all_requests": True}
