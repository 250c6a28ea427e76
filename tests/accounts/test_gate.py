import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from tests.factories import make_user

pytestmark = pytest.mark.django_db

APPROVAL = reverse("account_approval")
HOME = reverse("core:home")


def _brand(**fields: object) -> Brand:
    brand = default_brand()
    for name, value in fields.items():
        setattr(brand, name, value)
    brand.save()
    return brand


def _signed_in(client: Client, approval: str, language: str = "en") -> User:
    user = make_user(f"{approval}@example.com", language=language, approval=approval)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Waiting for approval"), ("ja", "承認待ち")]
)
def test_a_waiting_customer_sees_only_the_waiting_page(
    client: Client, language: str, heading: str
) -> None:
    _signed_in(client, User.Approval.PENDING)

    home = client.get(HOME)
    organisation = client.get(reverse("organisation:index"))
    page = client.get(APPROVAL, HTTP_ACCEPT_LANGUAGE=language)

    assert (home.status_code, home.url) == (302, APPROVAL)
    assert (organisation.status_code, organisation.url) == (302, APPROVAL)
    assert page.status_code == 200
    assert heading in page.content.decode()


@pytest.mark.parametrize(
    ("language", "text"), [("en", "has not been approved"), ("ja", "承認されませんでした")]
)
def test_a_rejected_customer_sees_the_rejection_page(
    client: Client, language: str, text: str
) -> None:
    _signed_in(client, User.Approval.REJECTED)

    home = client.get(HOME)
    page = client.get(APPROVAL, HTTP_ACCEPT_LANGUAGE=language)

    assert home.url == APPROVAL
    assert page.status_code == 403
    assert text in page.content.decode()


def test_a_waiting_customer_may_still_sign_out_and_change_language(client: Client) -> None:
    _signed_in(client, User.Approval.PENDING)

    language = client.post(reverse("set_language"), {"language": "ja", "next": APPROVAL})
    signed_out = client.post(reverse("account_logout"))

    assert language.url == APPROVAL
    assert signed_out.status_code == 302
    assert client.get(HOME).status_code == 200


def test_an_approved_customer_is_sent_home_from_the_approval_page(client: Client, alice) -> None:
    client.force_login(alice)

    assert client.get(HOME).status_code == 200
    assert client.get(APPROVAL).url == HOME


def test_the_approval_page_asks_visitors_to_sign_in(client: Client) -> None:
    response = client.get(APPROVAL)

    assert response.url.startswith(reverse("account_login"))


def test_content_requiring_sign_in_sends_visitors_to_sign_in(client: Client) -> None:
    _brand(content_requires_sign_in=True)

    response = client.get(HOME + "?q=billing")

    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=/%3Fq%3Dbilling"


@pytest.mark.parametrize(
    "url",
    [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("invitation_accept", args=["forged0"]),
        reverse("core:healthz-live"),
    ],
)
def test_the_way_in_stays_open_when_content_requires_sign_in(client: Client, url: str) -> None:
    _brand(content_requires_sign_in=True)

    response = client.get(url)

    assert response.status_code in {200, 410}


def test_the_language_switch_stays_open_when_content_requires_sign_in(client: Client) -> None:
    _brand(content_requires_sign_in=True)

    response = client.post(reverse("set_language"), {"language": "ja", "next": "/accounts/login/"})

    assert response.url == "/accounts/login/"


def test_signed_in_people_read_content_that_requires_sign_in(client: Client, alice) -> None:
    _brand(content_requires_sign_in=True)
    client.force_login(alice)

    assert client.get(HOME).status_code == 200


def test_content_is_open_to_visitors_by_default(client: Client) -> None:
    assert client.get(HOME).status_code == 200


@pytest.mark.parametrize(("language", "text"), [("en", "by invitation only"), ("ja", "招待制")])
def test_a_private_brand_closes_sign_up_to_get_and_post(
    client: Client, language: str, text: str
) -> None:
    _brand(access_mode=Brand.AccessMode.PRIVATE)
    form = {"email": "walkin@example.com", "password1": "x" * 20, "password2": "x" * 20}

    shown = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE=language)
    posted = client.post(reverse("account_signup"), form, HTTP_ACCEPT_LANGUAGE=language)

    for response in (shown, posted):
        body = response.content.decode()
        assert text in body
        assert 'name="password1"' not in body
    assert not User.objects.filter(email="walkin@example.com").exists()


def test_a_private_brand_hides_the_sign_up_link(client: Client) -> None:
    signup = reverse("account_signup")
    assert signup in client.get(HOME).content.decode()

    _brand(access_mode=Brand.AccessMode.PRIVATE)

    assert signup not in client.get(HOME).content.decode()
