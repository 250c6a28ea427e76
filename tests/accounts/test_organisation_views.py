import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.accounts import invitations
from madoguchi.accounts.models import Invitation, Membership, Organisation, User
from madoguchi.core.models import AuditEvent
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


def _url(name: str, organisation: Organisation, pk: int | None = None) -> str:
    kwargs: dict[str, object] = {"slug": organisation.slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"organisation:{name}", kwargs=kwargs)


@pytest.fixture
def admin_client(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def test_the_admin_sees_members_and_pending_invitations(
    admin_client: Client, org_a: Organisation, alice: User, bob: User
) -> None:
    invitations.invite(email="waiting@example.com", organisation=org_a, invited_by=bob)

    response = admin_client.get(_url("members", org_a))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Alice Example" in body and "alice@example.com" in body
    assert "Organisation admin" in body
    assert "waiting@example.com" in body
    assert "Invite a colleague" in body


def test_the_members_page_speaks_japanese(
    admin_client: Client, org_a: Organisation, alice: User
) -> None:
    response = admin_client.get(_url("members", org_a), HTTP_ACCEPT_LANGUAGE="ja")

    body = response.content.decode()
    assert "メンバー" in body
    assert "同僚を招待" in body


def test_the_index_leads_to_the_administered_organisation(
    admin_client: Client, org_a: Organisation
) -> None:
    response = admin_client.get(reverse("organisation:index"))

    assert response.status_code == 302
    assert response.url == _url("members", org_a)


def test_a_member_gets_404_everywhere(client: Client, org_a: Organisation, alice: User) -> None:
    client.force_login(alice)
    membership = alice.memberships.get()

    assert client.get(reverse("organisation:index")).status_code == 404
    assert client.get(_url("members", org_a)).status_code == 404
    assert client.post(_url("invite", org_a), {"email": "x@example.com"}).status_code == 404
    assert client.post(_url("remove_member", org_a, membership.pk)).status_code == 404
    assert alice.memberships.exists()


def test_an_agent_who_is_no_member_gets_404(client: Client, org_a: Organisation, dave) -> None:
    client.force_login(dave)

    assert client.get(_url("members", org_a)).status_code == 404


def test_another_organisations_ids_under_our_slug_are_404(
    admin_client: Client, org_a: Organisation, org_b: Organisation, carol: User
) -> None:
    theirs = carol.memberships.get()
    invitation = invitations.invite(email="b@example.com", organisation=org_b)

    for method in ("get", "post"):
        remove = getattr(admin_client, method)(_url("remove_member", org_a, theirs.pk))
        assert remove.status_code == 404
    role = admin_client.post(_url("change_role", org_a, theirs.pk), {"role": "admin"})
    revoke = admin_client.post(_url("revoke_invitation", org_a, invitation.pk))

    assert (role.status_code, revoke.status_code) == (404, 404)
    assert carol.memberships.get().role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_inviting_a_colleague_mails_them(
    admin_client: Client, smtp_server, org_a: Organisation
) -> None:
    response = admin_client.post(
        _url("invite", org_a), {"email": "new@example.com", "role": "member"}, follow=True
    )

    assert "Invitation sent to new@example.com" in response.content.decode()
    assert Invitation.objects.get().email == "new@example.com"
    assert [m["To"] for m in smtp_server.messages] == ["new@example.com"]


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Enter a valid email address."), ("ja", "有効なメールアドレスを入力してください。")],
)
def test_a_bad_address_re_renders_the_form(
    admin_client: Client, org_a: Organisation, language: str, message: str
) -> None:
    response = admin_client.post(
        _url("invite", org_a),
        {"email": "not an address", "role": "member"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused_clearly(
    admin_client: Client, org_a: Organisation, alice: User
) -> None:
    response = admin_client.post(
        _url("invite", org_a), {"email": "alice@example.com", "role": "member"}
    )

    assert response.status_code == 422
    assert "already a member" in response.content.decode()


def test_withdrawing_an_invitation_stops_its_link(
    admin_client: Client, org_a: Organisation, bob: User
) -> None:
    invitation = invitations.invite(email="w@example.com", organisation=org_a, invited_by=bob)

    response = admin_client.post(_url("revoke_invitation", org_a, invitation.pk))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    event = AuditEvent.objects.get(action="invitation.revoked")
    assert event.actor == bob


def test_removing_asks_first_then_removes(
    admin_client: Client, org_a: Organisation, alice: User
) -> None:
    membership = alice.memberships.get()

    confirm = admin_client.get(_url("remove_member", org_a, membership.pk))
    done = admin_client.post(_url("remove_member", org_a, membership.pk), follow=True)

    assert "will no longer see" in confirm.content.decode()
    assert "Alice Example was removed from Acme Corporation" in done.content.decode()
    assert not alice.memberships.exists()
    assert AuditEvent.objects.filter(action="membership.removed").count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "only admin"), ("ja", "唯一の管理者")],
)
def test_the_last_admin_is_protected_with_a_clear_message(
    admin_client: Client, org_a: Organisation, bob: User, language: str, message: str
) -> None:
    membership = bob.memberships.get()

    removed = admin_client.post(
        _url("remove_member", org_a, membership.pk), follow=True, HTTP_ACCEPT_LANGUAGE=language
    )
    demoted = admin_client.post(
        _url("change_role", org_a, membership.pk),
        {"role": "member"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert message in removed.content.decode()
    assert message in demoted.content.decode()
    assert bob.memberships.get().role == Membership.Role.ADMIN


def test_changing_a_role(admin_client: Client, org_a: Organisation, alice: User) -> None:
    membership = alice.memberships.get()

    response = admin_client.post(
        _url("change_role", org_a, membership.pk), {"role": "admin"}, follow=True
    )

    assert "Alice Example is now: Organisation admin." in response.content.decode()
    assert alice.memberships.get().role == Membership.Role.ADMIN


def test_an_unknown_role_is_refused(admin_client: Client, org_a: Organisation, alice) -> None:
    membership = alice.memberships.get()

    response = admin_client.post(
        _url("change_role", org_a, membership.pk), {"role": "owner"}, follow=True
    )

    assert "Choose a role from the list." in response.content.decode()
    assert alice.memberships.get().role == Membership.Role.MEMBER


def test_the_admin_turns_on_members_see_all_requests(
    admin_client: Client, org_a: Organisation
) -> None:
    admin_client.post(_url("settings", org_a), {"members_see_all_requests": "on"})
    org_a.refresh_from_db()
    assert org_a.members_see_all_requests

    admin_client.post(_url("settings", org_a), {})
    org_a.refresh_from_db()
    assert not org_a.members_see_all_requests
    assert AuditEvent.objects.filter(action="organisation.settings_changed").count() == 2


def test_the_user_menu_links_the_organisation_pages_for_admins_only(
    client: Client, alice: User, bob: User
) -> None:
    link = reverse("organisation:index")
    client.force_login(alice)
    assert link not in client.get(reverse("core:home")).content.decode()

    client.force_login(bob)
    assert link in client.get(reverse("core:home")).content.decode()


def test_invitations_are_rate_limited_per_admin(
    admin_client: Client, smtp_server, org_a: Organisation
) -> None:
    for number in range(30):
        admin_client.post(_url("invite", org_a), {"email": f"p{number}@example.com"})

    response = admin_client.post(_url("invite", org_a), {"email": "one.more@example.com"})

    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert not Invitation.objects.filter(email="one.more@example.com").exists()


def test_the_members_page_costs_the_same_queries_for_more_members(
    admin_client: Client, org_a: Organisation, bob: User
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(_url("members", org_a)).status_code == 200
        return len(queries)

    few = count()
    for number in range(5):
        add_member(make_user(f"m{number}@example.com"), org_a)
        invitations.invite(email=f"i{number}@example.com", organisation=org_a, invited_by=bob)

    # At most as many: the brand is cached after the first request (a query fewer).
    assert count() <= few


def test_visitors_are_asked_to_sign_in(client: Client, org_a: Organisation) -> None:
    response = client.get(_url("members", org_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
