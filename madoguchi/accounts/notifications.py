"""Which notifications a person wants, per kind of event and channel, and sending them.

The kinds of event are a registry in code: an app that sends a notification registers its event
here (from its AppConfig.ready) and sends through notify(), which asks wants() for each channel.
A person's choices are rows of NotificationPreference; no row means "on", so a new event reaches
everyone until they opt out. In-portal notifications are rows of Notification whose text is a
registered text filled when read, in the reader's language.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Notification, NotificationPreference, User
from madoguchi.core.mail import enqueue_mail

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
    # Builds the mail only when the person wants it (rendering costs templates).
    mail: Callable[[], EmailMessage | None] | None = None
    mail_key: str | None = None


def notify(notice: Notice) -> Notification | None:
    """Tell the recipient on each channel they want: a Notification and/or a queued mail.

    Call it inside the caller's transaction: both go, or neither. Returns the Notification.
    """
    recipient = notice.recipient
    created = None
    if notice.kind not in _texts:
        raise ValueError(f"Unknown notification text {notice.kind!r}: register it first")
    if wants(recipient, notice.event, Channel.WEB):
        created = Notification.objects.create(
            recipient=recipient,
            event=notice.event,
            kind=notice.kind,
            params=notice.params,
            url=notice.url,
        )
    if notice.mail is not None and wants(recipient, notice.event, Channel.EMAIL):
        message = notice.mail()
        if message is not None:
            enqueue_mail(message, idempotency_key=notice.mail_key)
    return created


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
