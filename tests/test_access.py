"""Another organisation's object answers 404, never 403 — proven for every route that names one.

The routes come from the URL resolver, so a new route is covered (or fails for lack of a
declaration) without anyone editing this file. For each route that names an object, an object of
every kind it takes is made in organisation B; bob, the admin of organisation A, must get 404 for
it, as for an id that does not exist, and must not get 404 for his own organisation's object (so
a route that answers 404 to everything cannot pass).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from madoguchi.accounts import data_exports, invitations
from madoguchi.accounts.models import (
    DataExport,
    Invitation,
    Membership,
    Notification,
    Organisation,
    User,
)
from madoguchi.branding.services import default_brand
from madoguchi.core import access
from madoguchi.kb import services as kb_services
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    Category,
    KnowledgeBase,
    ReviewReminder,
    Section,
    Tag,
    Visibility,
)
from madoguchi.tickets import services as tickets
from madoguchi.tickets.models import Attachment, Message, RequestType, Ticket
from madoguchi.tickets.models import Category as RequestCategory
from tests.factories import make_article, make_kb, make_section

pytestmark = pytest.mark.django_db

# Staff-only areas with their own permission checks, tested with them (tests/test_staff_routes.py).
STAFF_PREFIXES = ("admin/", "agent/")
# allauth's links that carry a secret key; they are checked like our capability views.
THIRD_PARTY_CAPABILITIES = {"account_confirm_email", "account_reset_password_from_key"}


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})"


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.pattern.regex.groupindex:
            yield Route(
                pattern=prefix + str(entry.pattern),
                name=f"{namespace}{entry.name}",
                callback=entry.callback,
                kwargs=tuple(entry.pattern.regex.groupindex),
            )


def routes_with_arguments() -> list[Route]:
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if not route.pattern.startswith(STAFF_PREFIXES)
    ]


def object_routes() -> list[Route]:
    return [r for r in routes_with_arguments() if hasattr(r.callback, "access_object")]


def capability_routes() -> list[Route]:
    return [
        r
        for r in routes_with_arguments()
        if getattr(r.callback, "access_capability", False) or r.name in THIRD_PARTY_CAPABILITIES
    ]


@dataclass
class Cast:
    org_a: Organisation
    org_b: Organisation
    alice: User
    bob: User
    carol: User


def _invitation(organisation: Organisation, email: str) -> Invitation:
    return invitations.invite(email=email, organisation=organisation)


def _session(user: User) -> UserSession:
    """A session of user's on another device (a signed-in client of its own)."""
    device = Client(HTTP_USER_AGENT="Other device")
    device.force_login(user)
    device.get(reverse("core:home"))
    return UserSession.objects.filter(user=user).latest("created_at")


def _notification(recipient: User) -> Notification:
    return Notification.objects.create(
        recipient=recipient, event="request_reply", kind="request_reply", url="/requests/"
    )


def _ticket(requester: User) -> Ticket:
    new = tickets.NewRequest(
        brand=default_brand(), requester=requester, subject="Printer", description="Jammed."
    )
    return tickets.ticket_create(new)


def _request_type(*, offered: bool) -> RequestType:
    """Request types belong to the brand, not to an organisation: customers see offered ones."""
    brand = default_brand()
    category, _ = RequestCategory.objects.get_or_create(brand=brand, name_en="General")
    return RequestType.objects.create(
        brand=brand, category=category, name_en="Question", is_active=offered
    )


def _message(ticket: Ticket) -> Message:
    return ticket.messages.get()


def _attachment(requester: User) -> Attachment:
    ticket = _ticket(requester)
    reply = tickets.NewReply(
        author=requester, body="See the file.", files=[SimpleUploadedFile("note.txt", b"hello")]
    )
    return tickets.reply_add(ticket, reply).attachments.get()


def _kb_article(organisation: Organisation) -> Article:
    """An article only organisation's members may read, alone in a knowledge base of its own."""
    kb = make_kb(f"kb-{organisation.slug}", name_en=f"Help {organisation.slug}")
    section = make_section(kb, f"section-{organisation.slug}", category=f"cat-{organisation.slug}")
    article = make_article(
        kb,
        f"Article for {organisation.slug}",
        section=section,
        visibility=Visibility.ORGANISATIONS,
        organisations=[organisation],
        tags=[f"tag-{organisation.slug}"],
    )
    kb_services.attachment_add(
        article, SimpleUploadedFile("manual.pdf", b"%PDF-1.4 manual"), draft=False, language=""
    )
    return article


def _kb_pair(c: Cast, pick: Callable[[Article], Model]) -> tuple[Model, Model]:
    return pick(_kb_article(c.org_b)), pick(_kb_article(c.org_a))


def _review(article: Article) -> ArticleReview:
    return ArticleReview.objects.create(translation=article.translations.get())


def _kb_feedback(user: User) -> ArticleFeedback:
    article = _kb_article(user.memberships.get().organisation)
    vote = kb_services.Vote(article=article, language="en", helpful=True, user=user)
    return kb_services.feedback_give(vote)


# For each model a route may name: (an object in organisation B, one in organisation A).
EXAMPLES: dict[type[Model], Callable[[Cast], tuple[Model, Model]]] = {
    Organisation: lambda c: (c.org_b, c.org_a),
    Membership: lambda c: (c.carol.memberships.get(), c.alice.memberships.get()),
    Invitation: lambda c: (
        _invitation(c.org_b, "new.b@example.com"),
        _invitation(c.org_a, "new.a@example.com"),
    ),
    User: lambda c: (c.carol, c.alice),
    # Sessions are personal: bob's own is the one he may reach.
    UserSession: lambda c: (_session(c.carol), _session(c.bob)),
    Ticket: lambda c: (_ticket(c.carol), _ticket(c.alice)),
    Message: lambda c: (_message(_ticket(c.carol)), _message(_ticket(c.alice))),
    Attachment: lambda c: (_attachment(c.carol), _attachment(c.alice)),
    RequestType: lambda c: (_request_type(offered=False), _request_type(offered=True)),
    # Exports are personal too: only bob's own opens for him.
    DataExport: lambda c: (
        data_exports.data_export_request(c.carol),
        data_exports.data_export_request(c.bob),
    ),
    # Notifications are personal: only bob's own opens for him.
    Notification: lambda c: (_notification(c.carol), _notification(c.bob)),
    # Knowledge-base content aimed at one organisation: B's is hidden from bob, A's is not.
    Article: lambda c: _kb_pair(c, lambda a: a),
    KnowledgeBase: lambda c: _kb_pair(c, lambda a: a.knowledge_base),
    Category: lambda c: _kb_pair(c, lambda a: a.section.category),
    Section: lambda c: _kb_pair(c, lambda a: a.section),
    Tag: lambda c: _kb_pair(c, lambda a: a.tags.get()),
    ArticleTranslation: lambda c: _kb_pair(c, lambda a: a.translations.get()),
    ArticleAttachment: lambda c: _kb_pair(c, lambda a: a.attachments.get()),
    # Versions are the editors' (no customer route names one); feedback is each reader's own.
    ArticleVersion: lambda c: _kb_pair(c, lambda a: a.versions.get()),
    ArticleFeedback: lambda c: (_kb_feedback(c.carol), _kb_feedback(c.bob)),
    # Reviews and reminders are the editors' business: no customer route names them.
    ArticleReview: lambda c: _kb_pair(c, _review),
    ReviewReminder: lambda c: _kb_pair(
        c, lambda a: ReviewReminder.objects.create(article=a, review_by=date(2026, 1, 1))
    ),
}


def test_every_route_with_an_argument_says_what_it_names() -> None:
    declared = {str(r) for r in object_routes() + capability_routes()}
    undeclared = [str(r) for r in routes_with_arguments() if str(r) not in declared]

    assert undeclared == [], (
        "Declare these views with madoguchi.core.access.object_view(Model) or capability_view, "
        "so the 404 test covers them"
    )


def test_every_scoped_model_has_an_example() -> None:
    assert set(access.registered_models()) <= set(EXAMPLES), "add the model to EXAMPLES"


@pytest.fixture
def cast(org_a, org_b, alice, bob, carol) -> Cast:
    return Cast(org_a=org_a, org_b=org_b, alice=alice, bob=bob, carol=carol)


@pytest.mark.parametrize("route", object_routes(), ids=str)
def test_another_organisations_object_is_a_404(route: Route, cast: Cast, client: Client) -> None:
    model, url_kwargs = route.callback.access_object
    theirs, ours = EXAMPLES[model](cast)
    client.force_login(cast.bob)
    theirs_url = reverse(route.name, kwargs=url_kwargs(theirs))
    ours_url = reverse(route.name, kwargs=url_kwargs(ours))

    answered = []
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)(theirs_url)
        status = response.status_code
        # 405 is the same for every id, so it tells nothing; anything else must be 404.
        assert status in {404, 405}, f"{method.upper()} {route}: {status} for organisation B"
        body = response.content.decode()
        assert cast.carol.email not in body and cast.org_b.name not in body, "B's data leaked"
        if status == 404:
            own = getattr(client, method)(ours_url).status_code
            assert own != 404, f"{method.upper()} {route} is 404 for bob's own object too"
            answered.append(method)
    assert answered, f"{route} accepts no method"


@pytest.mark.parametrize("route", capability_routes(), ids=str)
def test_a_forged_secret_link_is_refused_cleanly(route: Route, cast: Cast, client: Client) -> None:
    kwargs = dict.fromkeys(route.kwargs, "forged0")
    client.force_login(cast.alice)

    response = client.get(reverse(route.name, kwargs=kwargs))

    assert response.status_code not in {403, 500}
    assert response.status_code in {200, 302, 404, 410}
    assert cast.carol.email not in response.content.decode()
