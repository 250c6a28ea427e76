"""Which notifications a person wants, per kind of event and channel, and sending them.

The kinds of event are a registry in code: an app that sends a notification registers its event
here (from its AppConfig.ready) and sends through notify() or notify_all(), which honour each
person's choice per channel.
A person's choices are rows of NotificationPreference; no row means "on", so a new event reaches
everyone until they opt out. In-portal notifications are rows of Notification whose text is a
registered text filled when read, in the reader's language.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Notification, NotificationPreference, User
from madoguchi.core.later_mail import LaterMail
from madoguchi.core.mail import enqueue_later

Channel = NotificationPreference.Channel


@dataclass(frozen=True)
class EventType:
    """A kind of notification a person can turn on or off."""

    key: str
    label: Promise
    # Events about the work of agents are not offered to customers.
    for_agents: bool = False


_events: dict[str, EventType] = {}
_texts: dict[str, Promise] = {}
_labels: dict[str, dict[str, Mapping[str, Promise]]] = {}


def register_event(key: str, label: Promise, *, for_agents: bool = False) -> None:
    """Add a kind of notification; registering the same key again replaces its label."""
    _events[key] = EventType(key=key, label=label, for_agents=for_agents)


def event_types(user: User | None = None) -> list[EventType]:
    """Return the registered kinds of notification, in registration order.

    Given a user, only the kinds they can receive (agents' events for agents only).
    """
    events = list(_events.values())
    if user is not None and not user.is_staff:
        events = [event for event in events if not event.for_agents]
    return events


def register_text(
    kind: str, text: Promise, *, labels: dict[str, Mapping[str, Promise]] | None = None
) -> None:
    """Name the text an in-portal notification of kind shows; %(name)s takes its params.

    labels maps a param to the translated labels of its stored values (choices), so a value
    stored as a key shows in the reader's language.
    """
    _texts[kind] = text
    _labels[kind] = labels or {}


def text_for(kind: str, params: dict[str, Any]) -> str:
    """Return the registered text of kind filled with params, in the active language."""
    template = _texts.get(kind)
    if template is None:
        return str(_("Something changed."))
    labels = _labels.get(kind, {})
    shown = {
        name: labels[name].get(value, value) if name in labels else value
        for name, value in params.items()
    }
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        return str(template)


def text_of(notification: Notification) -> str:
    """Return the notification's text in the active language."""
    return text_for(notification.kind, notification.params)


@dataclass(frozen=True)
class Notice:
    """One thing to tell one person: in the portal (kind, params, url) and by mail."""

    recipient: User
    event: str
    kind: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    # Written by the worker, and only when the person wants it (rendering costs templates).
    mail: LaterMail | None = None


def notify(notice: Notice) -> Notification | None:
    """Tell one person on each channel they want; see notify_all. Returns the Notification."""
    return notify_all([notice])[0]


def notify_all(notices: Sequence[Notice]) -> list[Notification | None]:
    """Tell each notice's recipient on each channel they want: a Notification and/or a queued mail.

    Everyone's choices are read in one query, the notifications written in one insert and the
    mails queued in one task (the worker writes them), so telling a group of fifty agents costs
    what telling one does. Call it inside the caller's transaction: all go, or none. Returns the
    Notification of each notice.
    """
    for notice in notices:
        if notice.kind not in _texts:
            raise ValueError(f"Unknown notification text {notice.kind!r}: register it first")
        _check_event(notice.event)
    choices = _choices({n.recipient.pk for n in notices}, {n.event for n in notices})
    shown = [n for n in notices if _wanted(choices, n.recipient, n.event, Channel.WEB)]
    created = Notification.objects.bulk_create(
        Notification(recipient=n.recipient, event=n.event, kind=n.kind, params=n.params, url=n.url)
        for n in shown
    )
    made = {id(notice): notification for notice, notification in zip(shown, created, strict=True)}
    enqueue_later(
        [
            n.mail
            for n in notices
            if n.mail and _wanted(choices, n.recipient, n.event, Channel.EMAIL)
        ]
    )
    return [made.get(id(notice)) for notice in notices]


def _check_event(event: str) -> None:
    if event not in _events:
        raise ValueError(f"Unknown notification event {event!r}: register it first")


def wants(user: User, event: str, channel: str) -> bool:
    """Tell whether user wants notifications of event on channel; on unless turned off.

    Nobody inactive (deactivated, or waiting for deletion) is notified.
    """
    _check_event(event)
    return _wanted(_choices({user.pk}, {event}), user, event, channel)


def _choices(user_ids: set[int], events: set[str]) -> dict[tuple[int, str, str], bool]:
    """The stored choices of these people for these events, by (person, event, channel)."""
    found = NotificationPreference.objects.filter(user_id__in=user_ids, event__in=events)
    return {
        (user_id, event, channel): enabled
        for user_id, event, channel, enabled in found.values_list(
            "user_id", "event", "channel", "enabled"
        )
    }


def _wanted(
    choices: dict[tuple[int, str, str], bool], user: User, event: str, channel: str
) -> bool:
    return user.is_active and choices.get((user.pk, event, channel), True)


def preferences_for(user: User) -> dict[tuple[str, str], bool]:
    """Return the person's choice for every registered (event, channel), defaults included."""
    stored = {
        (row.event, row.channel): row.enabled
        for row in NotificationPreference.objects.filter(user=user)
    }
    return {
        (event.key, channel): stored.get((event.key, channel), True)
        for event in event_types(user)
        for channel in Channel.values
    }


def preferences_set(user: User, *, enabled: set[tuple[str, str]]) -> None:
    """Store the person's choices: the (event, channel) pairs in enabled are on, the rest off."""
    with transaction.atomic():
        for event in event_types(user):
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
register_event("request_approval", _("A request of my organisation needs my approval"))
register_event("request_assigned", _("A request is assigned to me"), for_agents=True)
register_event("group_request", _("A new request arrives in one of my groups"), for_agents=True)
