"""Mail written by the worker, not by the request that caused it.

Rendering a mail costs templates (2-3 ms each, in the recipient's language); a request that tells
a group of agents paid that per agent, inside its transaction, while SQLite held its write lock.
A LaterMail names a registered writer and its arguments instead; model instances travel as
references and are read again when the worker writes the mail.
"""

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db.models import Model

logger = logging.getLogger("madoguchi.mail")

Writer = Callable[..., EmailMessage | None]
# A model instance among a writer's arguments: {MODEL: "app_label.model", "pk": 5}.
MODEL = "__model__"

_writers: dict[str, Writer] = {}


def writer(function: Writer) -> Writer:
    """Register a function that writes a mail from keyword arguments (None: nothing to send)."""
    _writers[_name(function)] = function
    return function


@dataclass(frozen=True)
class LaterMail:
    """One mail to write later: writer(**arguments), sent once per key."""

    writer: Writer
    arguments: dict[str, Any] = field(default_factory=dict)
    # The idempotency key of the send; None: a new one is chosen when the mail is queued.
    key: str | None = None


def serialised(mails: Sequence[LaterMail]) -> list[dict[str, Any]]:
    """Return the mails as task arguments; raise ValueError for an unregistered writer.

    A value the task queue cannot store as JSON fails when the task is queued, in the caller.
    """
    entries = []
    for mail in mails:
        name = _name(mail.writer)
        if _writers.get(name) is not mail.writer:
            raise ValueError(f"{name} writes mail for the worker: decorate it with @writer")
        arguments = {key: _reference(value) for key, value in mail.arguments.items()}
        entries.append(
            {"writer": name, "arguments": arguments, "key": mail.key or uuid.uuid4().hex}
        )
    return entries


def written(entries: Sequence[dict[str, Any]]) -> Iterator[tuple[str, EmailMessage]]:
    """Write the queued mails; yield (key, message) of each that still has something to say.

    A mail about something deleted since it was queued is left out, as is one its writer
    declines (returns None). A row several mails name (a group's request) is read once.
    """
    rows: dict[tuple[str, Any], Any] = {}
    for entry in entries:
        arguments = {key: _resolved(value, rows) for key, value in entry["arguments"].items()}
        missing = [key for key, value in arguments.items() if value is _GONE]
        if missing:
            logger.info(
                "Mail %s not written: %s no longer exists", entry["key"], ", ".join(missing)
            )
            continue
        message = _writer(entry["writer"])(**arguments)
        if message is not None:
            yield entry["key"], message


def message_fields(message: EmailMessage) -> dict[str, Any]:
    """Return a message's parts as the keyword arguments of the send task."""
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            None,
        )
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "to": [str(address) for address in message.to],
        "html": html,
        "from_email": message.from_email,
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
    }


def _name(function: Writer) -> str:
    return f"{function.__module__}:{function.__qualname__}"


def _writer(name: str) -> Writer:
    if name not in _writers:
        # The worker may not have imported the writer's module yet; importing it registers it.
        import_module(name.partition(":")[0])
    try:
        return _writers[name]
    except KeyError:
        raise LookupError(f"No mail writer is registered as {name}") from None


def _reference(value: Any) -> Any:
    if isinstance(value, Model):
        if value.pk is None:
            raise ValueError(f"An unsaved {type(value).__name__} cannot be read again later")
        return {MODEL: value._meta.label_lower, "pk": value.pk}
    return value


_GONE = object()


def _resolved(value: Any, rows: dict[tuple[str, Any], Any]) -> Any:
    if not (isinstance(value, dict) and MODEL in value):
        return value
    reference = (value[MODEL], value["pk"])
    if reference not in rows:
        model = apps.get_model(value[MODEL])
        found = model._default_manager.filter(pk=value["pk"]).first()
        rows[reference] = _GONE if found is None else found
    return rows[reference]
