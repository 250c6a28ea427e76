import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Notification, User
from madoguchi.tickets import services
from madoguchi.tickets.services import NewReply
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(alice: User, dave: User) -> Notification:
    ticket = make_ticket(alice, subject="Printer")
    services.reply_add(ticket, NewReply(author=dave, body="Try this."))
    return Notification.objects.get(recipient=alice)


def test_the_bell_announces_the_unread_count(
    client: Client, alice: User, replied: Notification
) -> None:
    client.force_login(alice)

    page = client.get(reverse("tickets:activity")).content.decode()

    assert 'href="/notifications/"' in page
    assert "Notifications, 1 unread" in page
    assert 'class="mdg-bell-count" aria-hidden="true">1<' in page


def test_the_list_shows_newest_first_and_opening_marks_read(
    client: Client, alice: User, replied: Notification
) -> None:
    client.force_login(alice)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f"New reply on {replied.params['number']}: Printer" in page
    assert "Unread:" in page
    assert f"/notifications/{replied.pk}/" in page

    response = client.get(reverse("notifications:open", args=[replied.pk]))

    assert response.url == replied.url
    replied.refresh_from_db()
    assert replied.read_at is not None
    assert (
        "Notifications, 1 unread" not in client.get(reverse("notifications:list")).content.decode()
    )


def test_another_persons_notification_is_404_everywhere(
    client: Client, bob: User, replied: Notification
) -> None:
    client.force_login(bob)

    assert client.get(reverse("notifications:open", args=[replied.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[replied.pk])).status_code == 404
    replied.refresh_from_db()
    assert replied.read_at is None
    assert (
        f"/notifications/{replied.pk}/"
        not in client.get(reverse("notifications:list")).content.decode()
    )


def test_mark_one_and_mark_all_as_read(
    client: Client, alice: User, dave: User, replied: Notification
) -> None:
    client.force_login(alice)
    other = Notification.objects.create(
        recipient=alice, event="request_reply", kind="request_reply", url="/requests/"
    )

    client.post(reverse("notifications:read", args=[replied.pk]), {"page": "1"})
    replied.refresh_from_db()
    other.refresh_from_db()
    assert (replied.read_at is not None, other.read_at) == (True, None)

    response = client.post(reverse("notifications:read_all"), follow=True)
    other.refresh_from_db()
    assert other.read_at is not None
    assert "1 notifications were marked as read." in response.content.decode()


def test_the_list_pages_by_twenty(client: Client, alice: User) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=alice, event="request_reply", kind="request_reply", url="/")
        for _ in range(25)
    )
    client.force_login(alice)

    first = client.get(reverse("notifications:list"))
    second = client.get(reverse("notifications:list"), {"page": "2"})

    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 5


def test_the_centre_speaks_japanese(client: Client, carol: User, dave: User) -> None:
    ticket = make_ticket(carol, subject="プリンター")
    services.reply_add(ticket, NewReply(author=dave, body="確認します。"))
    client.force_login(carol)

    page = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "<h1>通知</h1>" in page
    assert f"#{ticket.pk}" in page and "プリンター" in page


def test_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302
    assert reverse("account_login") in response.url
