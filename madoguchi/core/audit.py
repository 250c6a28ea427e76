"""The audit log: every security-relevant action is recorded here, in the caller's transaction."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from madoguchi.core.http import client_ip, user_agent
from madoguchi.core.models import AuditEvent

LABEL_MAX = 254


def _label(obj: object) -> str:
    email = getattr(obj, "email", "")
    text = str(obj)
    return (f"{text} <{email}>" if email and email != text else text)[:LABEL_MAX]


def record(  # noqa: PLR0913  (keyword-only, each optional)
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: models.Model | None = None,
    target: models.Model | None = None,
    organisation: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. The actor defaults to the request's signed-in user.

    organisation is the organisation the event happened in, where the caller knows it.
    action is a dotted name such as "auth.login.failed" or "organisation.member.role_changed".
    data holds JSON-safe details; never put secrets (passwords, codes, tokens) in it.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=_label(actor) if actor is not None else "",
        organisation_id=organisation.pk if organisation is not None else None,
        organisation_label=str(organisation)[:200] if organisation is not None else "",
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=_label(target) if target is not None else "",
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        request_id=getattr(request, "request_id", "") if request is not None else "",
        data=data or {},
    )
