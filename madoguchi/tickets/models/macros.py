from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Department, User
from madoguchi.branding.models import Brand
from madoguchi.tickets.models.catalog import Priority
from madoguchi.tickets.models.tickets import Ticket


class Macro(models.Model):
    """A canned reply with placeholders, and the changes it stages on the request.

    Shared macros (no owner) are kept by admins; an agent's personal macros only they see.
    """

    name = models.CharField(_("name"), max_length=120)
    body = models.TextField(
        _("reply"),
        max_length=20_000,
        help_text=_(
            "Markdown. Placeholders: {{requester.name}}, {{requester.first_name}}, "
            "{{ticket.number}}, {{ticket.subject}}, {{agent.name}}, {{organisation.name}}, "
            "{{brand.name}}."
        ),
    )
    owner = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        verbose_name=_("owner"),
        help_text=_("Empty for a macro shared by every agent."),
    )
    brand = models.ForeignKey(
        Brand,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        verbose_name=_("brand"),
        help_text=_("Empty to offer it on requests of every brand."),
    )
    set_status = models.CharField(
        _("then set the status to"), max_length=16, choices=Ticket.Status, blank=True
    )
    set_priority = models.CharField(
        _("set the priority to"), max_length=8, choices=Priority, blank=True
    )
    add_tags = models.CharField(
        _("add tags"), max_length=500, blank=True, help_text=_("Separated by spaces or commas.")
    )
    assign_to_me = models.BooleanField(_("assign to the agent using it"), default=False)
    set_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("move to the group"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "name"], name="macro_owner_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
