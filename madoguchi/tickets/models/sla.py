"""Service levels: business-hours calendars, SLA policies, and each request's running targets."""

from datetime import timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Organisation
from madoguchi.core.translated import in_language
from madoguchi.tickets.business_time import Schedule
from madoguchi.tickets.models.catalog import Priority, RequestType
from madoguchi.tickets.models.tickets import Ticket


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Enter a time zone name such as Asia/Tokyo."))


class BusinessCalendar(models.Model):
    """Working hours per weekday and holidays, in one time zone."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[validate_time_zone]
    )

    class Meta:
        verbose_name = _("business-hours calendar")
        verbose_name_plural = _("business-hours calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def schedule(self) -> Schedule:
        """Return the calendar as a pure Schedule (two queries: hours and holidays)."""
        weekly: dict[int, list[tuple[int, int]]] = {}
        for hours in self.hours.all():
            weekly.setdefault(hours.weekday, []).append((hours.start_minute, hours.end_minute))
        holidays = frozenset(self.holidays.values_list("day", flat=True))
        return Schedule(zone=ZoneInfo(self.time_zone), weekly=weekly, holidays=holidays)


class BusinessHours(models.Model):
    """One working interval of a weekday; a day may have several (a lunch break between)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("Enter 00:00 for midnight at the day's end."))

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        # 00:00 as an end is the midnight that closes the day.
        return self.end.hour * 60 + self.end.minute or 24 * 60

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end_minute <= self.start_minute:
            raise ValidationError({"end": _("The end must be later than the start.")})


class Holiday(models.Model):
    """A day without business hours in one calendar."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    day = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="holiday_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Targets for the requests that match its conditions; the most specific policy applies."""

    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Among equally specific policies, the lowest wins.")
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority, blank=True, help_text=_("Empty: any.")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("organisation"),
        help_text=_("Empty: any."),
    )
    request_type = models.ForeignKey(
        RequestType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("request type"),
        help_text=_("Empty: any."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("business hours"),
        help_text=_("Empty: the clock runs around the clock (24/7)."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at percent elapsed"),
        null=True,
        blank=True,
        default=80,
        help_text=_("Warn when this share of a target has passed."),
    )
    warn_minutes_before = models.PositiveIntegerField(
        _("warn minutes before"),
        null=True,
        blank=True,
        help_text=_("Warn this many business minutes before a target; the earlier warning wins."),
    )
    pause_on_hold = models.BooleanField(
        _("on-hold pauses the clock"),
        default=False,
        help_text=_("Pending (waiting on the customer) always pauses the clock."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_en="", name_ja=""), name="sla_policy_named_in_some_language"
            ),
            models.CheckConstraint(
                condition=Q(warn_percent__isnull=True) | Q(warn_percent__lte=100),
                name="sla_policy_warn_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def specificity(self) -> int:
        return sum(
            [
                bool(self.priority),
                self.organisation_id is not None,
                self.request_type_id is not None,
            ]
        )

    def target(self, metric: str) -> timedelta | None:
        minutes = getattr(self, f"{metric}_minutes")
        return None if minutes is None else timedelta(minutes=minutes)

    def warn_after(self, target: timedelta) -> timedelta:
        """Return how far into a target the warning comes (the earlier of the two thresholds)."""
        candidates = [target]
        if self.warn_percent is not None:
            candidates.append(target * self.warn_percent / 100)
        if self.warn_minutes_before is not None:
            candidates.append(target - timedelta(minutes=self.warn_minutes_before))
        return max(min(candidates), timedelta(0))


class SlaTarget(models.Model):
    """One running (or finished) target of a request: when it started and when it is due.

    A next-response target is a new row after each customer message that waits for an answer,
    so each one warns and breaches on its own. Time spent paused is kept in paused, which is
    added to the target's business time when due_at is computed.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_targets")
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="targets"
    )
    metric = models.CharField(_("target"), max_length=16, choices=SlaMetric)
    started_at = models.DateTimeField(_("started"))
    target = models.DurationField(_("business time allowed"))
    paused = models.DurationField(_("business time paused"), default=timedelta(0))
    warn_at = models.DateTimeField(_("warn at"))
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(
                fields=["warn_at"], condition=Q(completed_at__isnull=True), name="sla_target_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    @property
    def was_met(self) -> bool:
        return self.completed_at is not None and self.completed_at <= self.due_at


class SlaEvent(models.Model):
    """A warning or breach of one target, recorded once: the unique key keeps the job idempotent."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("About to breach")
        BREACH = "breach", _("Breached")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    target = models.ForeignKey(SlaTarget, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "kind"], name="sla_event_once_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target.metric} {self.kind}"
