"""allauth's flows as configured for Madoguchi, through the test client and a real SMTP server."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from madoguchi.accounts.models import User
from tests.factories import PASSWORD
from tests.support.smtp import mailed_path, plain_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "title"), [("en", "Sign In"), ("ja", "ログイン")])
def test_sign_in_page_speaks_the_viewers_language(client: Client, language, title) -> None:
    response = client.get(reverse("account_login"), headers={"accept-language": language})

    body = response.content.decode()
    assert re.search(rf"<title>\s*{title}\s*·", body)
    assert 'class="container mdg-entrance"' in body


def test_mail_names_the_brand_not_the_host(client: Client, smtp_server, alice: User) -> None:
    client.post(reverse("account_reset_password"), {"email": alice.email})

    [message] = smtp_server.messages
    assert message["Subject"].startswith("[Madoguchi] ")
    assert "Hello from Madoguchi!" in plain_body(message)


def test_changing_email_verifies_the_new_address_and_tells_the_old_one(
    client: Client, smtp_server, alice: User
) -> None:
    client.force_login(alice)

    client.post(reverse("account_email"), {"action_add": "", "email": "alice.new@example.com"})

    [verification] = smtp_server.messages
    assert verification["To"] == "alice.new@example.com"
    alice.refresh_from_db()
    assert alice.email == "alice@example.com", "nothing changes before the new address is proven"
    client.post(mailed_path(verification, r"/confirm-email/"))

    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"
    assert EmailAddress.objects.get(user=alice).email == "alice.new@example.com"
    notice = smtp_server.messages[-1]
    assert notice["To"] == "alice@example.com"
    assert "alice.new@example.com" in plain_body(notice)


def test_sign_in_codes_are_rate_limited_per_address(client: Client, smtp_server, alice) -> None:
    for _ in range(4):
        response = Client().post(reverse("account_request_login_code"), {"email": alice.email})

    assert len(smtp_server.messages) == 3
    assert "Too many failed login attempts. Try again later." in response.content.decode()


def test_unknown_address_gets_the_same_answer_as_a_known_one(client: Client, smtp_server) -> None:
    known = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == 302, "no hint whether the address has an account"
    assert "password/reset/done" in known["Location"]


def test_mail_goes_through_the_task_queue(client: Client, alice, db_task_backend) -> None:
    client.post(reverse("account_reset_password"), {"email": alice.email})

    task = DBTaskResult.objects.get()
    assert task.task_path == "madoguchi.core.tasks.send_mail_task"
    assert task.args_kwargs["kwargs"]["to"] == [alice.email]


def test_wrong_password_keeps_the_address_and_explains(client: Client, alice) -> None:
    response = client.post(reverse("account_login"), {"login": alice.email, "password": "not it"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="alice@example.com"' in body
    assert "The email address and/or password you specified are not correct." in body
    assert PASSWORD not in body
