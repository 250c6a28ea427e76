"""What agents type in the workspace: replies and notes, changes to one request or to many."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets import selectors
from madoguchi.tickets.forms import LONG_TEXT_MAX, files_field
from madoguchi.tickets.models import Priority, Ticket
from madoguchi.tickets.services import TicketChanges

KEEP = ("", _("(keep as it is)"))


class AgentReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    files = files_field()
    internal = forms.BooleanField(label=_("Internal note (only agents see it)"), required=False)
    status = forms.ChoiceField(
        label=_("Then set the status to"),
        required=False,
        choices=[("", _("Pending after a reply, unchanged after a note")), *Ticket.Status.choices],
    )


class ChangesForm(forms.Form):
    """Changes to requests; empty fields keep what is there."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[KEEP, *Ticket.Status.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[KEEP, *Priority.choices]
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    department = forms.ModelChoiceField(
        label=_("Group"), required=False, queryset=selectors.departments(), empty_label=KEEP[1]
    )

    UNASSIGN = "none"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agents = {str(agent.pk): agent for agent in selectors.agents()}
        self.fields["assignee"].choices = [
            KEEP,
            (self.UNASSIGN, _("Nobody (unassigned)")),
            *[(pk, str(agent)) for pk, agent in self.agents.items()],
        ]

    def changes(self) -> TicketChanges:
        data = self.cleaned_data
        assignee = data.get("assignee")
        return TicketChanges(
            status=data.get("status") or None,
            priority=data.get("priority") or None,
            assignee=self.agents.get(assignee) if assignee else None,
            unassign=assignee == self.UNASSIGN,
            department=data.get("department"),
            tags=self._tags(),
        )

    def _tags(self) -> list[str] | None:
        return None


class TicketChangesForm(ChangesForm):
    """The side panel of one request, which also edits its tags; it starts from current values."""

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas or spaces."),
    )

    @classmethod
    def for_ticket(cls, ticket: Ticket, data: Any = None) -> "TicketChangesForm":
        initial = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": str(ticket.assignee_id) if ticket.assignee_id else cls.UNASSIGN,
            "department": ticket.department_id,
            "tags": " ".join(tag.name for tag in ticket.tags.all()),
        }
        return cls(data, initial=initial)

    def _tags(self) -> list[str] | None:
        return self.cleaned_data.get("tags", "").replace(",", " ").split()
