"""/api/v1/requests as a customer and an agent calls it with a session."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.core.models import IdempotencyKey
from madoguchi.tickets import services
from madoguchi.tickets.models import FormField, Message, RequestType, Ticket
from tests.factories import add_form_field, make_request_type, make_ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/requests"


@pytest.fixture
def request_type(db: None) -> RequestType:
    request_type = make_request_type("Return an item", "商品の返品")
    add_form_field(request_type, "order_number", FormField.Kind.TEXT, required=True)
    return request_type


def _post(client: Client, url: str, body: object, **headers: str) -> HttpResponse:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _new(request_type: RequestType, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "request_type": request_type.pk,
        "subject": "Wrong size",
        "description": "The shoes are too small.",
        "answers": {"order_number": "A-1001"},
    }
    body.update(extra)
    return body


def test_the_list_holds_only_what_the_customer_may_see(
    client: Client, alice: User, carol: User
) -> None:
    mine = make_ticket(alice, "Mine")
    make_ticket(carol, "Another organisation's")
    client.force_login(alice)

    body = client.get(URL).json()

    assert body["count"] == 1
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["number"] == mine.number


def test_the_list_filters_and_caps_the_page_size(client: Client, alice: User) -> None:
    solved = make_ticket(alice, "Solved one")
    Ticket.objects.filter(pk=solved.pk).update(status=Ticket.Status.SOLVED)
    make_ticket(alice, "Open one")
    client.force_login(alice)

    assert [r["subject"] for r in client.get(URL, {"status": "solved"}).json()["results"]] == [
        "Solved one"
    ]
    too_big = client.get(URL, {"page_size": 1000})
    assert too_big.status_code == 400
    assert too_big.json()["status"] == 400
    unknown = client.get(URL, {"status": "lost"})
    assert unknown.status_code == 422
    assert "status" in unknown.json()["errors"]


def test_the_list_narrows_to_a_scope(client: Client, alice: User, bob: User) -> None:
    make_ticket(alice, "Alice's")
    make_ticket(bob, "Bob's")
    client.force_login(bob)

    def subjects(scope: str) -> list[str]:
        return sorted(r["subject"] for r in client.get(URL, {"scope": scope}).json()["results"])

    assert subjects("mine") == ["Bob's"]
    assert subjects("organisation") == ["Alice's", "Bob's"]
    assert subjects("copied") == []
    assert client.get(URL, {"scope": "world"}).status_code == 422


def test_the_list_costs_the_same_queries_for_more_rows(client: Client, alice: User) -> None:
    make_ticket(alice)
    client.force_login(alice)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _number in range(10):
        make_ticket(alice)
    with CaptureQueriesContext(connection) as eleven:
        client.get(URL)

    assert len(eleven) == len(one)


def test_strangers_are_told_to_sign_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 401
    assert response.json() == {"status": 401, "detail": "Sign in first."}


def test_a_customer_submits_a_request(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)

    response = _post(client, URL, _new(request_type))

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert (ticket.requester, ticket.subject, ticket.answers) == (
        alice,
        "Wrong size",
        {"order_number": "A-1001"},
    )
    assert body["messages"][0]["body"] == "The shoes are too small."
    assert len(mail.outbox) == 1
    assert ticket.number in mail.outbox[0].subject


def test_fields_a_customer_may_not_set_are_ignored(
    client: Client, alice: User, carol: User, request_type: RequestType
) -> None:
    """R6: no requester, status, organisation or priority from the body."""
    client.force_login(alice)
    extra = {"requester": carol.pk, "status": "solved", "organisation": 999, "priority": "urgent"}

    body = _post(client, URL, _new(request_type, **extra)).json()

    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.requester == alice
    assert ticket.status == Ticket.Status.NEW
    assert ticket.priority == request_type.default_priority
    assert ticket.organisation == alice.memberships.get().organisation


def test_form_errors_name_their_fields_and_keep_nothing(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)

    response = _post(client, URL, _new(request_type, subject="", answers={}))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"subject", "order_number"}
    assert not Ticket.objects.exists()


def test_a_retired_or_unknown_form_is_404(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)
    RequestType.objects.filter(pk=request_type.pk).update(is_active=False)

    assert _post(client, URL, _new(request_type)).status_code == 404
    unknown = _new(request_type)
    unknown["request_type"] = 10**9
    assert _post(client, URL, unknown).status_code == 404


def test_a_body_that_is_not_json_is_a_clear_400(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert not Ticket.objects.exists()


def test_a_huge_body_is_refused_with_413_json(client: Client, alice: User, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(alice)

    response = _post(client, URL, {"subject": "x" * 5000})

    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_writes_need_the_csrf_token_with_a_session(alice: User, request_type: RequestType) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = _post(client, URL, _new(request_type))

    assert response.status_code == 403
    assert not Ticket.objects.exists()


# Idempotency (R31) -------------------------------------------------------------------------------


def test_the_same_key_and_body_replay_the_same_answer_once(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)

    first = _post(client, URL, _new(request_type), **{"Idempotency-Key": "k-1"})
    again = _post(client, URL, _new(request_type), **{"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Ticket.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_key_with_another_body_is_422(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)
    _post(client, URL, _new(request_type), **{"Idempotency-Key": "k-2"})

    response = _post(client, URL, _new(request_type, subject="Other"), **{"Idempotency-Key": "k-2"})

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Ticket.objects.count() == 1


def test_keys_belong_to_one_caller(
    client: Client, alice: User, bob: User, request_type: RequestType
) -> None:
    for user in (alice, bob):
        client.force_login(user)
        assert (
            _post(client, URL, _new(request_type), **{"Idempotency-Key": "same"}).status_code == 201
        )

    assert Ticket.objects.count() == 2


def test_a_refused_create_keeps_its_answer(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)
    refused = _post(client, URL, _new(request_type, answers={}), **{"Idempotency-Key": "k-3"})
    replayed = _post(client, URL, _new(request_type, answers={}), **{"Idempotency-Key": "k-3"})

    assert (refused.status_code, replayed.status_code) == (422, 422)
    assert replayed["Idempotent-Replayed"] == "true"


def test_a_key_is_kept_a_day_and_then_forgotten(
    client: Client, alice: User, request_type: RequestType
) -> None:
    client.force_login(alice)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _post(client, URL, _new(request_type), **{"Idempotency-Key": "k-4"})
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert _post(client, URL, _new(request_type), **{"Idempotency-Key": "k-4"})[
            "Idempotent-Replayed"
        ]
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        later = _post(client, URL, _new(request_type), **{"Idempotency-Key": "k-4"})

    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert Ticket.objects.count() == 2


def test_an_overlong_key_is_refused(client: Client, alice: User, request_type: RequestType) -> None:
    client.force_login(alice)

    response = _post(client, URL, _new(request_type), **{"Idempotency-Key": "k" * 256})

    assert response.status_code == 400
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_create_one_request(
    alice: User, request_type: RequestType
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    start = threading.Barrier(20)
    statuses: list[int] = []

    def submit() -> None:
        client = Client()
        client.force_login(alice)
        try:
            start.wait(10)
            statuses.append(
                _post(client, URL, _new(request_type), **{"Idempotency-Key": "race"}).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}


# The conversation --------------------------------------------------------------------------------


def test_customers_never_receive_internal_notes(client: Client, alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    services.reply_add(ticket, services.NewReply(author=dave, body="Secret note", internal=True))
    services.reply_add(ticket, services.NewReply(author=dave, body="Public answer"))
    client.force_login(alice)

    detail = client.get(f"{URL}/{ticket.pk}").content.decode()
    thread = client.get(f"{URL}/{ticket.pk}/messages").json()

    assert "Secret note" not in detail
    assert [m["body"] for m in thread] == ["It stopped at page 3.", "Public answer"]
    client.force_login(dave)
    agent_view = client.get(f"{URL}/{ticket.pk}/messages").json()
    assert [m["internal"] for m in agent_view] == [False, True, False]


def test_a_customer_replies_and_may_not_write_a_note(client: Client, alice: User) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)

    note = _post(client, f"{URL}/{ticket.pk}/messages", {"body": "psst", "internal": True})
    reply = _post(client, f"{URL}/{ticket.pk}/messages", {"body": "Any news?"})

    assert note.status_code == 403
    assert reply.status_code == 201
    assert reply.json()["body"] == "Any news?"
    assert list(ticket.messages.values_list("body", flat=True)) == [
        "It stopped at page 3.",
        "Any news?",
    ]


def test_an_agent_writes_a_note_through_the_api(client: Client, alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    client.force_login(dave)

    response = _post(client, f"{URL}/{ticket.pk}/messages", {"body": "Checked", "internal": True})

    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["id"]).is_internal


def test_a_reply_to_a_closed_request_is_409_and_an_empty_one_422(
    client: Client, alice: User
) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)

    empty = _post(client, f"{URL}/{ticket.pk}/messages", {"body": ""})
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    closed = _post(client, f"{URL}/{ticket.pk}/messages", {"body": "Hello?"})

    assert empty.status_code == 422
    assert "body" in empty.json()["errors"]
    assert closed.status_code == 409
    assert ticket.messages.count() == 1


def test_a_reply_with_the_same_key_is_added_once(client: Client, alice: User) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)

    for _ in range(3):
        _post(client, f"{URL}/{ticket.pk}/messages", {"body": "Once"}, **{"Idempotency-Key": "r"})

    assert ticket.messages.filter(body="Once").count() == 1


def test_the_openapi_description_documents_every_error(client: Client, alice: User) -> None:
    client.force_login(alice)

    spec = client.get("/api/v1/openapi.json").json()

    operations = [(url, op) for url, path in spec["paths"].items() for op in path.values()]
    assert operations
    for url, operation in operations:
        # Public operations (search) cannot answer 401; only routes naming an object answer 404.
        required = {"401"} if operation.get("security") else set()
        required |= {"404"} if "{" in url else set()
        assert required <= set(operation["responses"]), operation["operationId"]
    assert any(op.get("security") for _url, op in operations)


def test_the_api_documentation_is_served_from_our_own_files(client: Client, alice: User) -> None:
    client.force_login(alice)

    page = client.get("/api/v1/docs")

    assert page.status_code == 200
    html = page.content.decode()
    assert "https://" not in html.replace("https://testserver", "")
    assert "Content-Security-Policy" in page.headers
