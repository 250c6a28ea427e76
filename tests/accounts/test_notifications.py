"""Notification preferences: every registered event on every channel, on until turned off."""

import pytest
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import notifications
from madoguchi.accounts.models import User

pytestmark = pytest.mark.django_db


def test_everything_is_wanted_by_default(alice: User) -> None:
    for event in notifications.event_types():
        for channel in notifications.Channel.values:
            assert notifications.wants(alice, event.key, channel)


def test_a_choice_turns_one_event_and_channel_off(alice: User, bob: User) -> None:
    everything = set(notifications.preferences_for(alice))
    notifications.preferences_set(alice, enabled=everything - {("request_reply", "email")})

    assert not notifications.wants(alice, "request_reply", "email")
    assert notifications.wants(alice, "request_reply", "web")
    assert notifications.wants(alice, "mention", "email")
    assert notifications.wants(bob, "request_reply", "email")


def test_an_inactive_person_is_not_notified(alice: User) -> None:
    alice.is_active = False
    alice.save()

    assert not notifications.wants(alice, "mention", "web")


def test_an_unregistered_event_is_a_programming_error(alice: User) -> None:
    with pytest.raises(ValueError, match="register it first"):
        notifications.wants(alice, "no_such_event", "email")


def test_an_app_can_register_its_own_event(alice: User) -> None:
    notifications.register_event("test_event", _("A test event"))
    try:
        assert notifications.wants(alice, "test_event", "email")
        assert ("test_event", "web") in notifications.preferences_for(alice)
    finally:
        notifications._events.pop("test_event")
