"""What agents type in the workspace: replies and notes, changes to one request or to many."""

from dataclasses import replace
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import User
from madoguchi.tickets import selectors
from madoguchi.tickets.forms import LONG_TEXT_MAX, REPLY_BOX_ATTRS, files_field
from madoguchi.tickets.models import Macro, Priority, Ticket
from madoguchi.tickets.services import TicketChanges


def _words(text: str) -> list[str]:
    """Tags as typed: separated by commas or spaces."""
    return text.replace(",", " ").split()


def _tags_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas or spaces."),
    )


KEEP = ("", _("(keep as it is)"))


class AgentReplyForm(forms.Form):
    """A reply or note, and the changes sent with it (which a macro stages)."""

    body = forms.CharField(
        label=_("Message"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(REPLY_BOX_ATTRS)
    )
    files = files_field()
    internal = forms.BooleanField(label=_("Internal note (only agents see it)"), required=False)
    status = forms.ChoiceField(
        label=_("Then set the status to"),
        required=False,
        choices=[("", _("Pending after a reply, unchanged after a note")), *Ticket.Status.choices],
    )
    priority = forms.ChoiceField(
        label=_("And the priority to"), required=False, choices=[KEEP, *Priority.choices]
    )
    add_tags = _tags_field(_("Add tags"))
    department = forms.ModelChoiceField(
        label=_("Move to the group"),
        required=False,
        queryset=selectors.departments(),
        empty_label=KEEP[1],
    )
    assign_to_me = forms.BooleanField(label=_("Assign the request to me"), required=False)

    STAGED = ("status", "priority", "add_tags", "department", "assign_to_me")

    def changes(self, agent: User) -> TicketChanges:
        """The changes besides the status (which the reply itself sets)."""
        data = self.cleaned_data
        return TicketChanges(
            priority=data.get("priority") or None,
            assignee=agent if data.get("assign_to_me") else None,
            department=data.get("department"),
            add_tags=_words(data.get("add_tags", "")) or None,
        )

    @classmethod
    def with_macro(cls, data: Any, macro: Macro, body: str) -> "AgentReplyForm":
        """An unbound form: what the agent had typed, the macro's text added, its changes staged."""
        typed = data.get("body", "").rstrip()
        tags = " ".join([*data.get("add_tags", "").split(), macro.add_tags]).strip()
        initial = {
            "body": f"{typed}\n\n{body}" if typed else body,
            "internal": data.get("internal") == "on",
            "status": macro.set_status or data.get("status", ""),
            "priority": macro.set_priority or data.get("priority", ""),
            "add_tags": tags,
            "department": macro.set_department_id or data.get("department", ""),
            "assign_to_me": macro.assign_to_me or data.get("assign_to_me") == "on",
        }
        return cls(initial=initial)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into request number"),
        max_length=20,
        help_text=_("For example #1234. Its conversation then holds both."),
    )
    across_organisations = forms.BooleanField(
        label=_("Yes, merge requests of different organisations"), required=False
    )


class PersonalMacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = ["name", "body", "set_status", "set_priority", "add_tags", "assign_to_me"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


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


class BulkChangesForm(ChangesForm):
    """Changes to the requests selected in a queue: tags are added or taken off, the others kept."""

    add_tags = _tags_field(_("Add tags"))
    remove_tags = _tags_field(_("Remove tags"))

    def changes(self) -> TicketChanges:
        data = self.cleaned_data
        return replace(
            super().changes(),
            add_tags=_words(data.get("add_tags", "")) or None,
            remove_tags=_words(data.get("remove_tags", "")) or None,
        )


class TicketChangesForm(ChangesForm):
    """The side panel of one request, which also edits its tags; it starts from current values."""

    tags = _tags_field(_("Tags"))

    @classmethod
    def for_ticket(cls, ticket: Ticket, data: Any = None) -> "TicketChangesForm":
        initial = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": str(ticket.assignee_id) if ticket.assignee_id else cls.UNASSIGN,
            "department": ticket.department_id,
            "tags": " ".join(tag.name for tag in ticket.tags.all()),
        }
        # The reply form on the same page has a status and a priority too: ids must differ, or
        # the side panel's labels would name the reply form's fields.
        return cls(data, initial=initial, auto_id="mdg-side-%s")

    def _tags(self) -> list[str] | None:
        return _words(self.cleaned_data.get("tags", ""))
