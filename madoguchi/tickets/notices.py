"""Who hears about what happens to a request, in the portal and by mail (issue 4 item 9).

Each function builds the notices of one event and sends them through
accounts.notifications (notify_all for several people at once), which honours every person's
choice per event and channel.
Call them inside the service's transaction, after the change is saved.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import selectors as accounts_selectors
from madoguchi.accounts.models import User
from madoguchi.accounts.notifications import Notice, notify, notify_all, register_text
from madoguchi.core.later_mail import LaterMail
from madoguchi.tickets import mail
from madoguchi.tickets.models import Message, SlaEvent, SlaMetric, Ticket

register_text("request_reply", _("New reply on %(number)s: %(subject)s"))
register_text("request_solved", _("Your request %(number)s was solved: %(subject)s"))
register_text("approval_asked", _("%(number)s waits for your approval: %(subject)s"))
register_text("request_approved", _("Your request %(number)s was approved: %(subject)s"))
register_text("request_declined", _("Your request %(number)s was declined: %(subject)s"))
register_text("request_assigned", _("%(number)s was assigned to you: %(subject)s"))
register_text("group_request", _("New request %(number)s in %(group)s: %(subject)s"))
_SLA_TARGETS = {"target": dict(SlaMetric.choices)}
register_text(
    "sla_warning",
    _("%(number)s is about to miss its %(target)s target: %(subject)s"),
    labels=_SLA_TARGETS,
)
register_text(
    "sla_breach", _("%(number)s missed its %(target)s target: %(subject)s"), labels=_SLA_TARGETS
)
register_text("request_merged", _("%(number)s was merged into %(target)s: %(subject)s"))


def _params(ticket: Ticket) -> dict[str, object]:
    return {"number": ticket.number, "subject": ticket.subject}


def _page(ticket: Ticket, person: User) -> str:
    return reverse("agent:detail" if person.is_staff else "tickets:detail", args=[ticket.pk])


def _reply_recipients(message: Message) -> list[User]:
    """The customer side (the requester and the people copied in) reads one conversation and
    hears every public reply; the agents' side hears the customer side's: the assignee, or the
    group's agents while nobody is assigned."""
    ticket = message.ticket
    author = message.author
    people = [ticket.requester, *ticket.followers.all()]
    if author is None or not author.is_staff:
        people += _agents_on(ticket)
    unique = {person.pk: person for person in people if person and person.is_active}
    unique.pop(getattr(author, "pk", None), None)
    return list(unique.values())


def reply_added(message: Message) -> None:
    """Tell the people following the request about a public reply; nobody about a note."""
    if message.is_internal:
        return
    ticket = message.ticket
    notify_all(
        [
            Notice(
                recipient=person,
                event="request_reply",
                kind="request_reply",
                url=_page(ticket, person),
                params=_params(ticket),
                mail=LaterMail(
                    mail.public_reply,
                    {"message": message, "recipient": person},
                    key=mail.reply_id(message, person),
                ),
            )
            for person in _reply_recipients(message)
        ]
    )


def solved(ticket: Ticket) -> None:
    """Tell the requester the request was solved (the mail asks for a rating)."""
    notify(
        Notice(
            recipient=ticket.requester,
            event="request_status",
            kind="request_solved",
            url=_page(ticket, ticket.requester),
            params=_params(ticket),
            mail=LaterMail(
                mail.solved,
                {"ticket": ticket},
                key=f"ticket-solved-{ticket.pk}-{ticket.solved_at.timestamp()}",
            ),
        )
    )


def approval_asked(ticket: Ticket) -> None:
    """Ask the admins of the request's organisation (but not the requester) to approve it."""
    admins = accounts_selectors.organisation_admins(ticket.organisation)
    notify_all(
        [
            Notice(
                recipient=admin,
                event="request_approval",
                kind="approval_asked",
                url=reverse("tickets:detail", args=[ticket.pk]),
                params=_params(ticket),
                mail=LaterMail(
                    mail.approval_needed,
                    {"ticket": ticket, "admin": admin},
                    key=mail.approval_asked_id(ticket, admin),
                ),
            )
            for admin in admins
            if admin.pk != ticket.requester_id
        ]
    )


def approval_decided(ticket: Ticket, *, by: User) -> None:
    """Tell the requester whether their organisation's admin approved the request."""
    approved = ticket.approval == Ticket.Approval.APPROVED
    notify(
        Notice(
            recipient=ticket.requester,
            event="request_status",
            kind="request_approved" if approved else "request_declined",
            url=_page(ticket, ticket.requester),
            params=_params(ticket),
            mail=LaterMail(
                mail.approval_decided,
                {"ticket": ticket, "by": by},
                key=f"ticket-approval-{ticket.pk}",
            ),
        )
    )


def assigned(ticket: Ticket, *, by: User | None = None) -> None:
    """Tell the agent a request is theirs now (not when they took it themselves)."""
    agent = ticket.assignee
    if agent is None or (by is not None and by.pk == agent.pk):
        return
    notify(_agent_notice(ticket, agent, event="request_assigned", kind="request_assigned"))


def arrived_in_group(ticket: Ticket) -> None:
    """Tell the agents of the request's group that it arrived (the assignee hears "assigned")."""
    if ticket.department is None:
        return
    agents = ticket.department.members.filter(is_staff=True, is_active=True)
    extra = {"group": ticket.department.name}
    notify_all(
        [
            _agent_notice(ticket, agent, event="group_request", kind="group_request", extra=extra)
            for agent in agents.exclude(pk=ticket.assignee_id or 0)
        ]
    )


def _agent_notice(
    ticket: Ticket, agent: User, *, event: str, kind: str, extra: dict[str, object] | None = None
) -> Notice:
    params = {**_params(ticket), **(extra or {})}
    return Notice(
        recipient=agent,
        event=event,
        kind=kind,
        url=reverse("agent:detail", args=[ticket.pk]),
        params=params,
        mail=LaterMail(
            mail.notice, {"ticket": ticket, "recipient": agent, "kind": kind, "params": params}
        ),
    )


def sla_alert(event: SlaEvent) -> None:
    """Warn the assignee, or the group's agents while nobody is assigned, of a warning or breach."""
    ticket = event.ticket
    # The target's key: its name is shown in the reader's language (labels above).
    params = {**_params(ticket), "target": event.target.metric}
    notify_all(
        [
            Notice(
                recipient=agent,
                event=f"sla_{event.kind}",
                kind=f"sla_{event.kind}",
                url=reverse("agent:detail", args=[ticket.pk]),
                params=params,
                mail=LaterMail(
                    mail.sla_alert,
                    {"event": event, "agent": agent},
                    key=mail.sla_alert_id(event, agent),
                ),
            )
            for agent in _agents_on(ticket)
        ]
    )


def _agents_on(ticket: Ticket) -> list[User]:
    """The agents a request is with: its assignee, else its group's agents."""
    if ticket.assignee is not None:
        people = [ticket.assignee]
    elif ticket.department is not None:
        people = list(ticket.department.members.all())
    else:
        people = []
    return [person for person in people if person.is_staff and person.is_active]


def merged(source: Ticket, target: Ticket) -> None:
    """Tell both requesters (once each) that a request was merged into another."""
    people = {source.requester_id: source.requester, target.requester_id: target.requester}
    notify_all(
        [
            Notice(
                recipient=person,
                event="request_status",
                kind="request_merged",
                url=_page(target, person),
                params={**_params(source), "target": target.number},
                mail=LaterMail(
                    mail.merged,
                    {"source": source, "target": target, "recipient": person},
                    key=mail.merged_id(source, person),
                ),
            )
            for person in people.values()
            if person.is_active
        ]
    )
