import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.tickets.models import FormField, Message, RequestType, Ticket
from tests.factories import make_ticket
from tests.tickets.conftest import add_field

pytestmark = pytest.mark.django_db
Kind = FormField.Kind


@pytest.fixture
def with_condition(request_type: RequestType) -> RequestType:
    reason = add_field(
        request_type,
        "reason",
        Kind.CHOICE,
        required=True,
        choices="broken|Broken|壊れていた\nsize|Size|サイズ",
    )
    add_field(
        request_type, "serial", Kind.TEXT, required=True, show_when=reason, show_when_value="broken"
    )
    return request_type


def _submit_url(request_type: RequestType) -> str:
    return reverse("tickets:submit", args=[request_type.pk])


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Submit a request"), ("ja", "リクエストを送信")]
)
def test_the_catalog_lists_the_forms_in_the_viewer_language(
    client: Client, request_type: RequestType, language: str, heading: str
) -> None:
    response = client.get(reverse("tickets:catalog"), headers={"accept-language": language})

    body = response.content.decode()
    assert heading in body
    assert request_type.name_en if language == "en" else request_type.name_ja in body
    assert _submit_url(request_type) in body


def test_the_catalog_says_when_no_form_matches(client: Client, request_type: RequestType) -> None:
    response = client.get(reverse("tickets:catalog"), {"q": "zzz"})

    assert "No form matches these words" in response.content.decode()
    assert _submit_url(request_type) not in response.content.decode()


def test_visitors_sign_in_before_they_submit(client: Client, request_type: RequestType) -> None:
    response = client.get(_submit_url(request_type))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_valid_form_makes_a_request_and_shows_it(
    client: Client, alice: User, with_condition: RequestType
) -> None:
    client.force_login(alice)

    response = client.post(
        _submit_url(with_condition),
        {
            "subject": "Cracked screen",
            "description": "Dropped it.",
            "reason": "broken",
            "serial": "SN-1",
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("tickets:detail", args=[ticket.pk])
    body = response.content.decode()
    assert f"Request #{ticket.pk} was received" in body
    assert "Cracked screen" in body and "Dropped it." in body and "SN-1" in body
    assert ticket.answers == {"reason": "broken", "serial": "SN-1"}
    assert len(mail.outbox) == 1


def test_errors_show_next_to_fields_and_keep_what_was_typed(
    client: Client, alice: User, with_condition: RequestType
) -> None:
    client.force_login(alice)

    response = client.post(
        _submit_url(with_condition),
        {"subject": "Cracked screen", "description": "", "reason": "broken"},
        headers={"accept-language": "ja"},
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert "まだ何も送信されていません" in body
    assert 'value="Cracked screen"' in body
    assert body.count("このフィールドは必須です。") == 2
    assert 'aria-invalid="true"' in body
    assert not Ticket.objects.exists()
    assert mail.outbox == []


def test_conditional_fields_carry_their_condition_for_the_browser(
    client: Client, alice: User, with_condition: RequestType
) -> None:
    client.force_login(alice)

    body = client.get(_submit_url(with_condition)).content.decode()

    assert 'data-show-when="reason" data-show-value="broken"' in body
    assert "js/conditional-fields" in body


def test_my_activity_lists_filters_and_pages(client: Client, alice: User) -> None:
    for number in range(27):
        make_ticket(alice, subject=f"Question {number}")
    solved = make_ticket(alice, subject="Old invoice")
    Ticket.objects.filter(pk=solved.pk).update(status=Ticket.Status.SOLVED)
    client.force_login(alice)
    url = reverse("tickets:activity")

    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first
    solved_only = client.get(url, {"status": "solved"}).content.decode()
    assert "Old invoice" in solved_only and "Question 1<" not in solved_only
    assert "Old invoice" not in client.get(url, {"status": "open"}).content.decode()
    assert "Old invoice" in client.get(url, {"q": f"#{solved.pk}"}).content.decode()
    assert client.get(url, {"q": "#²"}).status_code == 200
    assert (
        client.get(url, {"status": "bogus", "page": "x", "type": "x", "sort": "y"}).status_code
        == 200
    )
    second = client.get(url, {"status": "open", "sort": "oldest"}).content.decode()
    assert "?status=open&amp;sort=oldest&amp;page=2" in second


def test_my_activity_has_tabs_for_own_copied_and_organisation_requests(
    client: Client, alice: User, bob: User, carol: User
) -> None:
    make_ticket(bob, subject="Bob asked")
    make_ticket(alice, subject="Alice asked")
    copied = make_ticket(carol, subject="Carol asked")
    copied.followers.add(bob)
    client.force_login(bob)
    url = reverse("tickets:activity")

    page = client.get(url, headers={"accept-language": "ja"}).content.decode()
    assert "自分のリクエスト" in page and "組織のリクエスト" in page
    mine = client.get(url, {"scope": "mine"}).content.decode()
    assert "Bob asked" in mine and "Alice asked" not in mine and "Carol asked" not in mine
    assert 'name="scope" value="mine"' in mine  # the filters keep the tab
    copied_in = client.get(url, {"scope": "copied"}).content.decode()
    assert "Carol asked" in copied_in and "Bob asked" not in copied_in
    organisation = client.get(url, {"scope": "organisation"}).content.decode()
    assert "Alice asked" in organisation and "Carol asked" not in organisation
    assert client.get(url, {"scope": "everyone"}).status_code == 200
    client.force_login(alice)
    assert "?scope=organisation" not in client.get(url).content.decode()


def test_my_activity_costs_the_same_queries_for_more_rows(client: Client, alice: User) -> None:
    make_ticket(alice)
    client.force_login(alice)
    url = reverse("tickets:activity")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _number in range(10):
        make_ticket(alice)
    with CaptureQueriesContext(connection) as eleven:
        client.get(url)

    assert len(eleven) == len(one)


def test_an_empty_list_says_so_in_japanese(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get(reverse("tickets:activity"), headers={"accept-language": "ja"})

    assert "リクエストはまだありません" in response.content.decode()


def test_the_request_page_hides_internal_notes_and_takes_a_reply(
    client: Client, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    Message.objects.create(
        ticket=ticket,
        author=dave,
        body="secret-note",
        body_html="<p>secret-note</p>",
        is_internal=True,
    )
    client.force_login(alice)
    url = reverse("tickets:detail", args=[ticket.pk])

    assert "secret-note" not in client.get(url).content.decode()
    response = client.post(url, {"body": "Any news?"}, follow=True)

    assert "Any news?" in response.content.decode()
    assert ticket.messages.filter(author=alice).count() == 2


def test_an_empty_reply_is_refused_next_to_the_box(client: Client, alice: User) -> None:
    ticket = make_ticket(alice)
    client.force_login(alice)

    response = client.post(reverse("tickets:detail", args=[ticket.pk]), {"body": "  "})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert ticket.messages.count() == 1


def test_a_reply_to_a_closed_request_is_refused_clearly(client: Client, alice: User) -> None:
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    client.force_login(alice)

    response = client.post(reverse("tickets:detail", args=[ticket.pk]), {"body": "Hello?"})

    assert response.status_code == 422
    assert "This request is closed" in response.content.decode()
    assert ticket.messages.count() == 1


def test_a_colleague_request_is_404_unless_the_organisation_shares(
    client: Client, alice: User, bob: User
) -> None:
    ticket = make_ticket(bob)
    client.force_login(alice)
    url = reverse("tickets:detail", args=[ticket.pk])

    assert client.get(url).status_code == 404
    alice.memberships.get().organisation.__class__.objects.update(members_see_all_requests=True)
    assert client.get(url).status_code == 200


def test_a_retired_form_is_404(client: Client, alice: User, request_type: RequestType) -> None:
    RequestType.objects.filter(pk=request_type.pk).update(is_active=False)
    client.force_login(alice)

    assert client.get(_submit_url(request_type)).status_code == 404
