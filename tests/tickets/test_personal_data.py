import pytest

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User
from madoguchi.tickets import services
from madoguchi.tickets.services import NewReply
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_person_requests_without_internal_notes(
    alice: User, carol: User, dave: User
) -> None:
    ticket = make_ticket(alice, subject="alice-canary")
    services.reply_add(ticket, NewReply(author=dave, body="note-canary", internal=True))
    services.reply_add(ticket, NewReply(author=dave, body="Public answer"))
    make_ticket(carol, subject="carol-canary")

    (request,) = personal_data.sections()["requests"](alice)

    assert request["subject"] == "alice-canary"
    bodies = [entry["body"] for entry in request["conversation"]]
    assert bodies == ["It stopped at page 3.", "Public answer"]


def test_an_agent_export_holds_what_they_wrote(alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    services.reply_add(ticket, NewReply(author=dave, body="My note", internal=True))

    rows = list(personal_data.sections()["request_messages"](dave))

    assert [(row["body"], row["internal_note"]) for row in rows] == [("My note", True)]
