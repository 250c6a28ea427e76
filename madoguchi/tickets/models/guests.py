from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import private_storage
from madoguchi.branding.models import Brand
from madoguchi.tickets.models.catalog import RequestType


class GuestRequest(models.Model):
    """A request from a visitor who is not signed in, held until they confirm their address.

    Nothing of it reaches agents, or any account with that address, before the confirmation.
    """

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="held_requests")
    request_type = models.ForeignKey(
        RequestType, on_delete=models.CASCADE, related_name="guest_requests"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("unconfirmed guest request")
        verbose_name_plural = _("unconfirmed guest requests")
        indexes = [models.Index(fields=["expires_at"], name="guest_request_expiry")]

    def __str__(self) -> str:
        return f"{self.email}: {self.subject}"


class HeldFile(models.Model):
    """A file of a guest request's form, kept privately until the request is confirmed."""

    guest_request = models.ForeignKey(GuestRequest, on_delete=models.CASCADE, related_name="files")
    field_key = models.CharField(max_length=50)
    file = models.FileField(upload_to="guest-requests/%Y/%m/", storage=private_storage)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.name
