"""R7: the staff area refuses customers with 404; staff reach it through the portal's sign-in."""

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STAFF_URLS = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/core/auditevent/",
    "/admin/accounts/user/1/change/",
    "/admin/login/",
    "/admin/no-such-page/",
]


@pytest.mark.parametrize("url", STAFF_URLS)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_customers_and_organisation_admins_get_404(
    client: Client, url: str, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    for method in ("get", "post"):
        assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize("url", ["/admin/", "/admin/login/"])
def test_visitors_are_sent_to_the_portal_sign_in(client: Client, url: str) -> None:
    response = client.get(url, follow=True)

    final_url, _status = response.redirect_chain[-1]
    assert final_url.startswith(reverse("account_login"))
    assert response.status_code == 200


def test_agents_sign_in_through_the_portal_and_reach_the_admin(client: Client, dave: User):
    response = client.post(
        reverse("account_login"), {"login": dave.email, "password": PASSWORD, "next": "/admin/"}
    )

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_deactivated_agent_is_refused(client: Client, dave: User) -> None:
    client.force_login(dave)
    dave.is_active = False
    dave.save()

    assert client.get("/admin/").status_code in {302, 404}
    assert b"Site administration" not in client.get("/admin/").content
