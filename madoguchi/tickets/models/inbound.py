from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import private_storage
from madoguchi.branding.models import Brand
from madoguchi.tickets.models.tickets import Message, Ticket


class BrandMailbox(models.Model):
    """A brand's support address, and what happens to mail from people without an account."""

    class UnknownSenders(models.TextChoices):
        CREATE = "create", _("Create a customer account and the request")
        QUARANTINE = "quarantine", _("Keep the mail in quarantine for an admin to decide")

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="mailbox", verbose_name=_("brand")
    )
    address = models.EmailField(
        _("support address"),
        unique=True,
        help_text=_("Mail to this address becomes a request of this brand."),
    )
    unknown_senders = models.CharField(
        _("mail from unknown senders"),
        max_length=16,
        choices=UnknownSenders,
        default=UnknownSenders.CREATE,
        help_text=_(
            "A private brand always keeps mail from unknown senders in quarantine, and a brand "
            "whose registrations need approval does too."
        ),
    )
    sends_mail = models.BooleanField(
        _("send the brand's request mail from this address"),
        default=True,
        help_text=_(
            "Mail about this brand's requests then comes from this address, with the brand's "
            "name, and replies come back to it. Untick it if your mail server may not send as "
            "this address (SPF, DKIM): the portal's own sender address is used instead."
        ),
    )

    class Meta:
        verbose_name = _("brand mailbox")
        verbose_name_plural = _("brand mailboxes")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args: object, **kwargs: object) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class InboundMail(models.Model):
    """One message received by mail: its raw bytes, and what became of it.

    The row is written, with the raw bytes in private storage, before the message is processed,
    so a failure while processing never loses it. (Message-ID, SHA-256 of the bytes) is unique:
    the same message delivered twice is processed once (F17).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not processed yet")
        TICKET = "ticket", _("Became a request")
        REPLY = "reply", _("Became a reply")
        IGNORED = "ignored", _("Ignored (automatic mail)")
        QUARANTINED = "quarantined", _("In quarantine")

    class Source(models.TextChoices):
        LMTP = "lmtp", _("LMTP")
        SMTP = "smtp", _("SMTP")
        IMAP = "imap", _("IMAP")

    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    raw_sha256 = models.CharField(_("SHA-256"), max_length=64)
    raw = models.FileField(
        _("raw message"), upload_to="inbound/%Y/%m/", storage=private_storage, max_length=255
    )
    size = models.PositiveBigIntegerField(_("size"))
    source = models.CharField(_("received by"), max_length=8, choices=Source)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    # Lower-cased, as compared with accounts and counted by the rate guard.
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.RECEIVED, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    detail = models.TextField(_("details"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mails",
        verbose_name=_("request"),
    )
    created_message = models.OneToOneField(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mail",
        verbose_name=_("message"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message_id", "raw_sha256"], name="inbound_mail_once")
        ]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_mail_sender_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.sender or '?'} {self.subject}"
