from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker; a stale heartbeat means its tasks are orphaned."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class EffectRecord(models.Model):
    """A side effect that has happened, keyed so that a retried or replayed task skips it."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("effect record")
        verbose_name_plural = _("effect records")

    def __str__(self) -> str:
        return self.key


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AuditLogIsAppendOnlyError

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnlyError


class AuditLogIsAppendOnlyError(Exception):
    def __init__(self) -> None:
        super().__init__("The audit log is append-only: events are never changed or deleted.")


class AuditEvent(models.Model):
    """One security-relevant event: who did what to whom, from where, when. Append-only.

    Labels are copies taken at the time, so an event still reads true after the actor or the
    target changes or is deleted.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    # The organisation the event happened in, where known. Kept as plain values rather than a
    # foreign key: the kernel knows no app's models, and the entry must outlive the organisation.
    organisation_id = models.PositiveBigIntegerField(
        _("organisation id"), null=True, blank=True, db_index=True
    )
    organisation_label = models.CharField(_("organisation"), max_length=200, blank=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True, db_index=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnlyError
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnlyError


class PeriodicRun(models.Model):
    """One time slot of a periodic job, claimed by the first worker to insert it.

    The unique pair makes "run once per slot" hold across any number of workers and nodes.
    """

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.slot:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """A create already run (or running) for one caller and one Idempotency-Key (R31).

    The unique (user, key) pair is the lock: of two requests with one key, only one inserts the
    row and runs; the other sees it and replays the stored answer, or hears "in progress".
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the key was first used for: method, path and a digest of the body.
    fingerprint = models.CharField(max_length=64)
    # Empty while the first request runs.
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
