"""The guest request pages: the form for visitors, the mailed link, the confirmation."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from madoguchi.tickets.models import GuestRequest, RequestType, Ticket

pytestmark = pytest.mark.django_db

FORM = {
    "guest_name": "Kenji Sato",
    "guest_email": "kenji@example.com",
    "subject": "Broken lid",
    "description": "It arrived cracked.",
}


@pytest.fixture
def open_brand() -> Brand:
    brand = default_brand()
    brand.guest_requests = True
    brand.save()
    return brand


def _url(request_type: RequestType) -> str:
    return reverse("tickets:submit", args=[request_type.pk])


def test_visitors_are_sent_to_sign_in_unless_the_brand_allows_guests(
    client: Client, request_type: RequestType
) -> None:
    response = client.get(_url(request_type))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_visitor_submits_and_is_told_to_check_their_mail(
    client: Client, open_brand: Brand, request_type: RequestType
) -> None:
    page = client.get(_url(request_type))
    assert page.status_code == 200
    assert 'name="guest_email"' in page.content.decode()

    response = client.post(_url(request_type), FORM, follow=True)

    assert response.redirect_chain[-1][0] == reverse("tickets:guest_sent")
    assert "Check your mail" in response.content.decode()
    assert GuestRequest.objects.get().email == "kenji@example.com"
    assert not Ticket.objects.exists()


def test_errors_show_by_their_fields_and_keep_what_was_typed(
    client: Client, open_brand: Brand, request_type: RequestType
) -> None:
    response = client.post(
        _url(request_type), {**FORM, "guest_email": "not an address", "subject": ""}
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "This field is required." in body
    assert 'value="not an address"' in body
    assert "It arrived cracked." in body
    assert not GuestRequest.objects.exists()


def test_the_bot_trap_holds_nothing_but_looks_the_same(
    client: Client, open_brand: Brand, request_type: RequestType
) -> None:
    response = client.post(_url(request_type), {**FORM, "guest_website": "http://spam.example"})

    assert response.url == reverse("tickets:guest_sent")
    assert not GuestRequest.objects.exists()
    assert mail.outbox == []


def test_guest_requests_are_limited_per_email_address(
    client: Client, open_brand: Brand, request_type: RequestType
) -> None:
    for _ in range(3):
        assert client.post(_url(request_type), FORM).status_code == 302

    response = client.post(_url(request_type), FORM)

    assert response.status_code == 429
    assert GuestRequest.objects.count() == 3


def test_guest_requests_are_limited_per_visitor_address(
    client: Client, open_brand: Brand, request_type: RequestType
) -> None:
    for number in range(10):
        client.post(_url(request_type), {**FORM, "guest_email": f"k{number}@example.com"})

    response = client.post(_url(request_type), {**FORM, "guest_email": "other@example.com"})

    assert response.status_code == 429


def test_the_mailed_link_asks_for_a_click_then_confirms(
    client: Client, open_brand: Brand, request_type: RequestType
) -> None:
    client.post(_url(request_type), FORM)
    path = re.search(r"https?://[^/]+(/requests/guest/\S+/)", mail.outbox[0].body).group(1)

    shown = client.get(path)
    assert shown.status_code == 200
    assert not Ticket.objects.exists()
    confirmed = client.post(path)

    ticket = Ticket.objects.get()
    assert confirmed.status_code == 200
    assert f"Your request {ticket.number} was received." in confirmed.content.decode()
    again = client.post(path)
    assert again.status_code == 400
    assert "confirmed already" in again.content.decode()


def test_a_forged_link_is_refused_clearly(client: Client, open_brand: Brand) -> None:
    response = client.post(reverse("tickets:guest_confirm", args=["forged:token"]))

    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()


def test_a_signed_in_customer_gets_the_usual_form(
    client: Client, open_brand: Brand, request_type: RequestType, alice: object
) -> None:
    client.force_login(alice)

    body = client.get(_url(request_type)).content.decode()

    assert 'name="guest_email"' not in body
