"""R7: every agent route refuses customers and organisation admins with 404, whatever the method,
and sends visitors to sign in. The routes come from the resolver, so a new one is covered."""

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from madoguchi.accounts.models import User
from madoguchi.tickets.inbound.services import inbound_receive
from tests.factories import make_ticket
from tests.tickets.inbound.mails import raw_mail

pytestmark = pytest.mark.django_db
AGENT_PREFIX = "agent/"


def agent_patterns() -> list[URLPattern]:
    return [
        pattern
        for entry in get_resolver().url_patterns
        if str(entry.pattern) == AGENT_PREFIX
        for pattern in entry.url_patterns
    ]


def _url(pattern: URLPattern, alice: User) -> str:
    """The pattern's URL; a route naming a request gets one of alice's (a mail: one she sent)."""
    if "pk" not in pattern.pattern.regex.groupindex:
        kwargs = {}
    elif pattern.name == "inbound-raw":
        kwargs = {"pk": inbound_receive(raw_mail(), source="lmtp").pk}
    else:
        kwargs = {"pk": make_ticket(alice).pk}
    return reverse(f"agent:{pattern.name}", kwargs=kwargs)


def test_every_agent_view_is_a_staff_view() -> None:
    views = [pattern.callback for pattern in agent_patterns()]

    assert views
    assert all(getattr(view, "access_staff", False) for view in views)


@pytest.mark.parametrize("pattern", agent_patterns(), ids=lambda p: p.name)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_customers_and_organisation_admins_get_404(
    client: Client, pattern: URLPattern, who: str, alice: User, request: pytest.FixtureRequest
) -> None:
    url = _url(pattern, alice)
    client.force_login(request.getfixturevalue(who))

    for method in ("get", "post", "put", "patch", "delete"):
        assert getattr(client, method)(url).status_code == 404, f"{method} {url}"


@pytest.mark.parametrize("pattern", agent_patterns(), ids=lambda p: p.name)
def test_visitors_are_sent_to_sign_in(client: Client, pattern: URLPattern, alice: User) -> None:
    response = client.get(_url(pattern, alice))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("pattern", agent_patterns(), ids=lambda p: p.name)
def test_agents_reach_every_agent_route(
    client: Client, pattern: URLPattern, alice: User, dave: User
) -> None:
    url = _url(pattern, alice)
    client.force_login(dave)

    method = "post" if pattern.name in {"bulk", "away"} else "get"
    assert getattr(client, method)(url).status_code in {200, 302}
