from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from madoguchi.accounts import deletion, inbox, personal_data
from madoguchi.accounts.models import Notification, User

pytestmark = pytest.mark.django_db


def _note(user: User, *, days_old: int = 0, read: bool = False) -> Notification:
    created = timezone.now() - timedelta(days=days_old)
    return Notification.objects.create(
        recipient=user,
        event="request_reply",
        kind="request_reply",
        params={"number": "#1", "subject": "Printer"},
        url="/requests/1/",
        created_at=created,
        read_at=created if read else None,
    )


def test_a_person_sees_only_their_own_notifications(alice: User, dave: User) -> None:
    mine = _note(alice)
    theirs = _note(dave)

    assert list(inbox.notifications_for(alice)) == [mine]
    assert list(inbox.notifications_for(dave)) == [theirs]
    with pytest.raises(Http404):
        inbox.notification_get_for(alice, theirs.pk)


def test_unread_count_reading_one_and_reading_all(alice: User, dave: User) -> None:
    first, _second, _third = _note(alice), _note(alice), _note(alice)
    _note(dave)

    inbox.notification_read(first)
    read_at = first.read_at
    inbox.notification_read(first)
    assert first.read_at == read_at
    assert inbox.unread_count(alice) == 2

    assert inbox.notifications_read_all(alice) == 2
    assert inbox.unread_count(alice) == 0
    assert inbox.unread_count(dave) == 1


def test_the_unread_count_is_one_query(alice: User, django_assert_num_queries: object) -> None:
    for _ in range(5):
        _note(alice)

    with django_assert_num_queries(1):
        assert inbox.unread_count(alice) == 5


def test_the_purge_removes_old_read_notifications_only(alice: User, settings: object) -> None:
    settings.NOTIFICATION_KEEP_DAYS = 30
    old_read = _note(alice, days_old=31, read=True)
    old_unread = _note(alice, days_old=31)
    recent_read = _note(alice, days_old=2, read=True)

    assert inbox.notifications_purge() == 1

    remaining = set(Notification.objects.values_list("pk", flat=True))
    assert remaining == {old_unread.pk, recent_read.pk}
    assert old_read.pk not in remaining


def test_the_data_export_holds_the_notifications_in_the_persons_language(carol: User) -> None:
    _note(carol, read=True)

    (row,) = personal_data.sections()["notifications"](carol)

    assert row["text"] == "#1 に新しい返信があります：Printer"  # noqa: RUF001 - Japanese punctuation
    assert row["link"] == "/requests/1/"
    assert row["read_at"] is not None


def test_deleting_the_account_deletes_its_notifications(alice: User) -> None:
    _note(alice)

    deletion.account_anonymise(alice)

    assert not Notification.objects.filter(recipient=alice).exists()
