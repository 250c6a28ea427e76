"""Which notifications a person wants, per kind of event and channel.

The kinds of event are a registry in code: an app that sends a notification registers its event
here (from its AppConfig.ready) and asks wants() before sending. A person's choices are rows of
NotificationPreference; no row means "on", so a new event reaches everyone until they opt out.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import NotificationPreference, User

Channel = NotificationPreference.Channel


@dataclass(frozen=True)
class EventType:
    """A kind of notification a person can turn on or off."""

    key: str
    label: Promise


_events: dict[str, EventType] = {}


def register_event(key: str, label: Promise) -> None:
    """Add a kind of notification; registering the same key again replaces its label."""
    _events[key] = EventType(key=key, label=label)


def event_types() -> list[EventType]:
    """Return the registered kinds of notification, in registration order."""
    return list(_events.values())


def _check_event(event: str) -> None:
    if event not in _events:
        raise ValueError(f"Unknown notification event {event!r}: register it first")


def wants(user: User, event: str, channel: str) -> bool:
    """Tell whether user wants notifications of event on channel; on unless turned off.

    Nobody inactive (deactivated, or waiting for deletion) is notified.
    """
    _check_event(event)
    if not user.is_active:
        return False
    choice = (
        NotificationPreference.objects.filter(user=user, event=event, channel=channel)
        .values_list("enabled", flat=True)
        .first()
    )
    return True if choice is None else choice


def preferences_for(user: User) -> dict[tuple[str, str], bool]:
    """Return the person's choice for every registered (event, channel), defaults included."""
    stored = {
        (row.event, row.channel): row.enabled
        for row in NotificationPreference.objects.filter(user=user)
    }
    return {
        (event.key, channel): stored.get((event.key, channel), True)
        for event in event_types()
        for channel in Channel.values
    }


def preferences_set(user: User, *, enabled: set[tuple[str, str]]) -> None:
    """Store the person's choices: the (event, channel) pairs in enabled are on, the rest off."""
    with transaction.atomic():
        for event in event_types():
            for channel in Channel.values:
                NotificationPreference.objects.update_or_create(
                    user=user,
                    event=event.key,
                    channel=channel,
                    defaults={"enabled": (event.key, channel) in enabled},
                )


register_event("request_reply", _("A reply to one of my requests"))
register_event("request_status", _("A change of status of one of my requests"))
register_event("mention", _("Someone mentions me"))
register_event("forum_reply", _("A reply to a forum topic I follow"))
register_event("idea_status", _("A change of status of an idea I voted for"))
register_event("export_ready", _("My personal data export is ready"))
