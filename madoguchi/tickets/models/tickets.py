import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Department, Organisation, User, private_storage
from madoguchi.branding.models import Brand
from madoguchi.tickets.models.catalog import Priority, RequestType


def new_reply_token() -> str:
    """An unguessable token that threads mail replies to one request (never the number alone)."""
    return secrets.token_hex(16)


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def stored_name(name: str) -> str:
        """The name as kept: a slug of at most 50 characters (Unicode kept); "" for none."""
        return slugify(name, allow_unicode=True)[:50]


class TicketQuerySet(models.QuerySet["Ticket"]):
    def unsolved(self) -> "TicketQuerySet":
        # The statuses named (not "all but done") so that an index on status can serve it.
        return self.filter(status__in=Ticket.UNSOLVED)


class Ticket(models.Model):
    """A customer's request: what they asked, its state, and who works on it."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        ON_HOLD = "on_hold", _("On hold")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    class Via(models.TextChoices):
        WEB = "web", _("Portal")
        EMAIL = "email", _("Email")
        GUEST = "guest", _("Portal, as a guest")

    class Approval(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        PENDING = "pending", _("Waiting for the organisation admin")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    DONE = (Status.SOLVED, Status.CLOSED)
    UNSOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="tickets")
    request_type = models.ForeignKey(
        RequestType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("request type"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    requester = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="requests", verbose_name=_("requester")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("organisation"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.NEW)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority, default=Priority.NORMAL
    )
    approval = models.CharField(
        _("approval"), max_length=16, choices=Approval, default=Approval.NOT_NEEDED
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("group"),
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assignee"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    followers = models.ManyToManyField(
        User, blank=True, related_name="followed_requests", verbose_name=_("followers")
    )
    via = models.CharField(_("received by"), max_length=8, choices=Via, default=Via.WEB)
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    # The SLA clock, kept on the request so that queues filter and sort without joins:
    # the earliest warning and due moment of its open targets, and since when it is paused.
    sla_policy = models.ForeignKey(
        "tickets.SlaPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("SLA policy"),
    )
    sla_warn_at = models.DateTimeField(_("SLA warning"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("next SLA target"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            # With the request type: the activity filter lists the types among a customer's
            # requests from the index alone (5,000 rows of a heavy customer's were 7 ms).
            models.Index(
                fields=["requester", "-updated_at", "request_type"], name="ticket_requester_recent"
            ),
            models.Index(
                fields=["organisation", "-updated_at", "request_type"],
                name="ticket_organisation_recent",
            ),
            models.Index(fields=["status", "-updated_at"], name="ticket_status_recent"),
            models.Index(fields=["sla_due_at"], name="ticket_sla_due"),
            # The agent queues count unsolved requests agents may see (approval) per view:
            # these cover the counts without reading the rows.
            models.Index(fields=["status", "approval"], name="ticket_status_approval"),
            models.Index(fields=["assignee", "status", "approval"], name="ticket_assignee_open"),
            models.Index(fields=["department", "status", "approval"], name="ticket_group_open"),
            # An agent's queue by priority, latest update first (B6): in the queue's order, so the
            # page reads its 25 rows in order, with status and approval so that its count reads
            # the index alone. Not partial (unsolved only): SQLite cannot use a partial index
            # when the statuses are bound parameters, as Django sends them.
            models.Index(
                fields=["assignee", "priority", "-updated_at", "-id", "status", "approval"],
                name="ticket_assignee_priority_queue",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="ticket_not_merged_into_itself"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE

    @property
    def sla_state(self) -> str:
        """Return "paused", "breached", "at_risk", "on_track", or "" when no target runs."""
        if self.sla_due_at is None:
            return ""
        if self.sla_paused_at is not None:
            return "paused"
        now = timezone.now()
        if self.sla_due_at <= now:
            return "breached"
        if self.sla_warn_at is not None and self.sla_warn_at <= now:
            return "at_risk"
        return "on_track"


class Message(models.Model):
    """One entry of a request's conversation: a public reply or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="request_messages"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField()
    is_internal = models.BooleanField(_("internal note"), default=False)
    via = models.CharField(max_length=8, choices=Ticket.Via, default=Ticket.Via.WEB)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file on a request, from its form or a message; kept in private storage."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    field_key = models.CharField(_("form field"), max_length=50, blank=True)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="request_attachments"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class SatisfactionRating(models.Model):
    """How the requester rated the outcome of a solved request (CSAT)."""

    class Score(models.TextChoices):
        GOOD = "good", _("Good, I'm satisfied")
        BAD = "bad", _("Bad, I'm unsatisfied")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.CharField(_("rating"), max_length=8, choices=Score)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    rated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="request_ratings"
    )
    created_at = models.DateTimeField(_("rated"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.score}"
