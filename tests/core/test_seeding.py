import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from madoguchi.accounts.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_seed_makes_organisations_and_users_in_both_languages() -> None:
    call_command("seed", scale=0.05, verbosity=0)

    assert Organisation.objects.count() == 10
    assert User.objects.filter(is_staff=False).count() == 100
    assert User.objects.filter(is_staff=True).count() == 2
    assert set(User.objects.values_list("language", flat=True)) == {"en", "ja"}
    assert Membership.objects.filter(role=Membership.Role.ADMIN).count() == 10
    assert EmailAddress.objects.filter(verified=True).count() == User.objects.count()


def test_seeding_twice_adds_nothing() -> None:
    call_command("seed", scale=0.05, verbosity=0)
    call_command("seed", scale=0.05, verbosity=0)

    assert Organisation.objects.count() == 10


def test_demo_loads_once_and_lists_the_sign_ins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    call_command("demo")

    out = capsys.readouterr().out
    assert out.count("Loaded the demo data.") == 1
    for email in ["alice@example.com", "bob@example.com", "dave@example.com", "erin@example.com"]:
        assert email in out
    assert User.objects.get(email="erin@example.com").is_superuser
    assert Membership.objects.get(user__email="bob@example.com").role == Membership.Role.ADMIN


def test_demo_customer_can_sign_in(client: object) -> None:
    call_command("demo", verbosity=0)

    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "madoguchi-demo"}
    )

    assert response.status_code == 302
    assert client.get("/").context["user"].email == "alice@example.com"
