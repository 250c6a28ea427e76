"""Roles as data: admins define named permission sets and give them to agents; departments."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import NoReverseMatch, reverse

from madoguchi.accounts.models import Department, User
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _codes(role: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()}


def test_default_roles_come_with_sensible_permissions(db: None) -> None:
    agent = _codes(Group.objects.get(name="Agent"))
    lead = _codes(Group.objects.get(name="Team lead"))
    administrator = _codes(Group.objects.get(name="Administrator"))

    assert "accounts.view_user" in agent
    assert "accounts.approve_user" not in agent
    assert {"accounts.approve_user", "accounts.view_user"} <= lead
    assert {"accounts.approve_user", "accounts.change_user", "branding.change_brand"} <= (
        administrator
    )


def test_the_stock_group_admin_is_replaced_by_roles(client: Client, erin: User) -> None:
    client.force_login(erin)

    index = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:accounts_role_changelist") in index
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_group_changelist")


def test_an_admin_creates_a_custom_role_and_gives_it_to_an_agent(
    client: Client, erin: User, dave: User
) -> None:
    client.force_login(erin)
    approve = Permission.objects.get(codename="approve_user")
    view = Permission.objects.get(codename="view_user", content_type__app_label="accounts")

    response = client.post(
        reverse("admin:accounts_role_add"),
        {"name": "Gatekeeper", "permissions": [approve.pk, view.pk], "staff": [dave.pk]},
    )

    assert response.status_code == 302
    role = Group.objects.get(name="Gatekeeper")
    assert list(role.user_set.all()) == [dave]
    dave = User.objects.get(pk=dave.pk)
    assert dave.has_perm("accounts.approve_user")
    event = AuditEvent.objects.get(action="role.created")
    assert event.data["staff"] == ["dave@example.com"]
    assert "accounts.approve_user" in event.data["permissions"]


def test_only_agents_may_be_given_a_role(client: Client, erin: User, alice: User) -> None:
    client.force_login(erin)

    response = client.post(
        reverse("admin:accounts_role_add"), {"name": "Sneaky", "staff": [alice.pk]}
    )

    assert response.status_code == 200
    assert not Group.objects.filter(name="Sneaky").exists()


def test_a_department_groups_agents(client: Client, erin: User, dave: User) -> None:
    client.force_login(erin)

    response = client.post(
        reverse("admin:accounts_department_add"),
        {"name": "Billing", "members": [dave.pk], "assignment": "round_robin"},
    )

    assert response.status_code == 302
    billing = Department.objects.get(name="Billing")
    assert list(billing.members.all()) == [dave]
    assert billing.assignment == Department.Assignment.ROUND_ROBIN
