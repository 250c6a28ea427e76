import pytest
from django.urls import reverse

from madoguchi.accounts import approvals
from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from madoguchi.core.models import AuditEvent
from tests.factories import make_user
from tests.support.smtp import plain_body

pytestmark = pytest.mark.django_db

PASSWORD_NEW = "a long and unusual passphrase 42"


def _waiting(email: str, language: str = "en") -> User:
    return make_user(email, language=language, approval=User.Approval.PENDING)


def test_approval_lets_the_person_in_and_mails_them(smtp_server, erin: User) -> None:
    person = _waiting("waiting@example.com")

    assert approvals.user_approve(person, by=erin)

    person.refresh_from_db()
    assert person.approval == User.Approval.APPROVED
    [message] = smtp_server.messages
    assert message["To"] == "waiting@example.com"
    assert "approved" in plain_body(message)
    assert "/accounts/login/" in plain_body(message)
    event = AuditEvent.objects.get(action="user.approved")
    assert (event.actor, event.target_id) == (erin, str(person.pk))


def test_rejection_is_mailed_in_the_persons_language(smtp_server, erin: User) -> None:
    person = _waiting("machi@example.jp", language="ja")

    assert approvals.user_reject(person, by=erin)

    person.refresh_from_db()
    assert person.approval == User.Approval.REJECTED
    [message] = smtp_server.messages
    assert "承認されませんでした" in plain_body(message)
    assert AuditEvent.objects.filter(action="user.rejected").count() == 1


def test_deciding_twice_mails_and_audits_once(smtp_server, erin: User) -> None:
    person = _waiting("twice@example.com")

    approvals.user_approve(person, by=erin)
    again = approvals.user_approve(person, by=erin)

    assert not again
    assert len(smtp_server.messages) == 1
    assert AuditEvent.objects.filter(action="user.approved").count() == 1


def test_a_sign_up_in_japanese_is_answered_in_japanese(client, smtp_server, erin: User) -> None:
    brand = default_brand()
    brand.access_mode = Brand.AccessMode.RESTRICTED
    brand.save()
    client.post(
        reverse("account_signup"),
        {"email": "hana@example.jp", "password1": PASSWORD_NEW, "password2": PASSWORD_NEW},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    person = User.objects.get(email="hana@example.jp")

    approvals.user_approve(person, by=erin)

    assert person.language == "ja"
    assert "承認されました" in plain_body(smtp_server.messages[-1])
