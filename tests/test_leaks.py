"""R5: no leaks through side channels. Organisation B's words never reach organisation A.

A canary string goes into every text a customer of organisation B can write on a request
(subject, description, answers, replies, file names, a rating). Then every page and API list
without an object id in its URL (found by walking the URL resolver, so new ones are covered) is
fetched by organisation A's admin and member, with searches for the canary, and the mail sent
for A's own activity is read: the canary must never appear.
"""

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb import services as kb_services
from madoguchi.kb.models import Article, Visibility
from madoguchi.tickets import services
from madoguchi.tickets.models import FormField, Ticket
from tests.factories import (
    add_form_field,
    make_article,
    make_kb,
    make_request_type,
    make_section,
    make_ticket,
)

pytestmark = pytest.mark.django_db
CANARY = "Canary7f3e"
# Staff areas show every organisation's requests to agents by design (tests/test_staff_routes.py
# keeps customers out of them); sign-out and the social providers' hand-offs are not lists.
SKIP_PREFIXES = (
    "admin/",
    "agent/",
    "accounts/logout",
    "i18n/",
    "accounts/google/",
    "accounts/microsoft/",
)


def _plain_routes(patterns: list, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _plain_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not entry.pattern.regex.groupindex:
            route = prefix + str(entry.pattern)
            if not route.startswith(SKIP_PREFIXES) and "<" not in route and "(" not in route:
                found.append("/" + route.lstrip("^").rstrip("$"))
    return sorted(set(found))


@pytest.fixture
def their_request(carol: User, org_b: Organisation) -> Ticket:
    request_type = make_request_type("Delivery problem")  # the brand's, shown to all
    add_form_field(request_type, "detail", FormField.Kind.TEXT)
    ticket = make_ticket(
        carol,
        f"Subject {CANARY}",
        description=f"Description {CANARY}",
        request_type=request_type,
        answers={"detail": f"Answer {CANARY}"},
    )
    upload = SimpleUploadedFile(f"file-{CANARY}.txt", b"text")
    services.reply_add(
        ticket, services.NewReply(author=carol, body=f"Reply {CANARY}", files=[upload])
    )
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SOLVED)
    ticket.refresh_from_db()
    services.rating_give(ticket, user=carol, score="bad", comment=f"Rating {CANARY}")
    return ticket


@pytest.fixture
def their_article(org_b: Organisation, carol: User) -> Article:
    """An article only organisation B may read, next to a public one in the same section."""
    kb = make_kb()
    section = make_section(kb)
    make_article(kb, "Public article", section=section)
    article = make_article(
        kb,
        f"Title {CANARY}",
        body=f"Body {CANARY}",
        section=section,
        visibility=Visibility.ORGANISATIONS,
        organisations=[org_b],
        tags=[f"tag-{CANARY}"],
        translations={"ja": (f"題名 {CANARY}", f"本文 {CANARY}")},
    )
    kb_services.attachment_add(
        article, SimpleUploadedFile(f"{CANARY}.pdf", b"%PDF-1.4 x"), draft=False
    )
    vote = kb_services.Vote(
        article=article, language="en", helpful=False, comment=f"Vote {CANARY}", user=carol
    )
    kb_services.feedback_give(vote)
    return article


def test_organisation_b_never_shows_in_organisation_a(
    their_request: Ticket, their_article: Article, alice: User, bob: User, dave: User
) -> None:
    mine = make_ticket(alice, "Our own request")
    services.reply_add(mine, services.NewReply(author=dave, body="An agent's answer"))
    routes = _plain_routes(get_resolver().url_patterns)
    assert "/requests/" in routes
    assert "/api/v1/requests" in routes
    assert "/en/kb/sitemap.xml" in routes
    # The knowledge base's pages name it in their URL; its lists are checked here too.
    routes += ["/en/kb/help/", "/en/kb/help/sections/basics/", "/en/kb/help/feed.atom"]

    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        for route in routes:
            # Searches for words next to the canary (the canary itself is echoed in the box).
            for query in ({}, {"q": "Subject"}, {"q": "Reply"}, {"status": "solved"}):
                response = client.get(route, query)
                body = b"".join(response) if response.streaming else response.content
                assert CANARY.encode() not in body, f"{route} {query} as {user}"
    for message in mail.outbox:
        text = json.dumps([message.subject, message.body, message.alternatives], default=str)
        if any(address in message.to for address in (alice.email, bob.email)):
            assert CANARY not in text, message.subject
