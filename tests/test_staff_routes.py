"""R7: every agent route refuses customers and organisation admins with 404, whatever the method,
and sends visitors to sign in. The routes come from the resolver, so a new one is covered."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from madoguchi.accounts.models import User
from madoguchi.tickets.inbound.services import inbound_receive
from tests.factories import make_ticket
from tests.tickets.inbound.mails import raw_mail

pytestmark = pytest.mark.django_db
AGENT_PREFIX = "agent/"


@dataclass(frozen=True)
class AgentRoute:
    namespace: str
    pattern: URLPattern

    def __str__(self) -> str:
        return f"{self.namespace}:{self.pattern.name}"


def agent_patterns() -> list[AgentRoute]:
    """Every route under /agent/ (the request workspace and the knowledge-base editor)."""
    return [
        AgentRoute(entry.namespace, pattern)
        for entry in get_resolver().url_patterns
        if str(entry.pattern).startswith(AGENT_PREFIX)
        for pattern in entry.url_patterns
    ]


def _url(route: AgentRoute, alice: User) -> str:
    """The pattern's URL; a route naming a request gets one of alice's (a mail: one she sent).

    Other routes get any id: the refusal comes before the object is looked up.
    """
    namespace, pattern = route.namespace, route.pattern
    if "pk" not in pattern.pattern.regex.groupindex:
        kwargs = {}
    elif pattern.name == "inbound-raw":
        kwargs = {"pk": inbound_receive(raw_mail(), source="lmtp").pk}
    elif namespace == "agent":
        kwargs = {"pk": make_ticket(alice).pk}
    else:
        kwargs = {"pk": 1}
    return reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)


def test_every_agent_view_is_a_staff_view() -> None:
    views = [route.pattern.callback for route in agent_patterns()]

    assert views
    assert all(getattr(view, "access_staff", False) for view in views)


@pytest.mark.parametrize("route", agent_patterns(), ids=str)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_customers_and_organisation_admins_get_404(
    client: Client, route: AgentRoute, who: str, alice: User, request: pytest.FixtureRequest
) -> None:
    url = _url(route, alice)
    client.force_login(request.getfixturevalue(who))

    for method in ("get", "post", "put", "patch", "delete"):
        assert getattr(client, method)(url).status_code == 404, f"{method} {url}"


@pytest.mark.parametrize("route", agent_patterns(), ids=str)
def test_visitors_are_sent_to_sign_in(client: Client, route: AgentRoute, alice: User) -> None:
    response = client.get(_url(route, alice))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# The knowledge-base editor's routes need the editor role too: tests/kb/test_editor_views.py.
@pytest.mark.parametrize("route", [r for r in agent_patterns() if r.namespace == "agent"], ids=str)
def test_agents_reach_every_agent_route(
    client: Client, route: AgentRoute, alice: User, dave: User
) -> None:
    pattern = route.pattern
    url = _url(route, alice)
    client.force_login(dave)

    method = "post" if pattern.name in {"bulk", "away"} else "get"
    assert getattr(client, method)(url).status_code in {200, 302}
