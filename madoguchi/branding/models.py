from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    """One portal face: its name, the host it answers on, and who may get in."""

    class AccessMode(models.TextChoices):
        PUBLIC = "public", _("Public: anyone may register")
        RESTRICTED = "restricted", _("Restricted: registrations wait for approval")
        PRIVATE = "private", _("Private: by invitation only")

    name = models.CharField(_("name"), max_length=120)
    host = models.CharField(
        _("host name"),
        max_length=253,
        blank=True,
        help_text=_("The host this brand answers on, such as support.example.com."),
    )
    is_default = models.BooleanField(
        _("default brand"),
        default=False,
        help_text=_("Answers on every host that no other brand claims."),
    )
    logo_url = models.CharField(_("logo URL"), max_length=500, blank=True)
    access_mode = models.CharField(
        _("access mode"), max_length=16, choices=AccessMode, default=AccessMode.PUBLIC
    )
    content_requires_sign_in = models.BooleanField(
        _("content requires sign-in"),
        default=False,
        help_text=_("Visitors must sign in before they can read anything."),
    )
    guest_requests = models.BooleanField(
        _("visitors may submit requests without an account"),
        default=False,
        help_text=_(
            "They confirm by a link mailed to them. Only in public access mode, and not when "
            "content requires sign-in."
        ),
    )
    widget_origins = models.TextField(
        _("search widget origins"),
        blank=True,
        help_text=_(
            "Websites allowed to show this brand's search widget, one origin a line, such as "
            "https://www.example.com. Any other site is refused."
        ),
    )

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=~Q(host=""), name="brand_host_unique"
            ),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="brand_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.host = self.host.strip().lower().rstrip(".")
        super().save(*args, **kwargs)

    @property
    def accepts_guest_requests(self) -> bool:
        """Tell whether a visitor who is not signed in may submit a request here."""
        return (
            self.guest_requests
            and self.access_mode == self.AccessMode.PUBLIC
            and not self.content_requires_sign_in
        )

    @property
    def widget_origin_list(self) -> set[str]:
        """Return the allowed widget origins, normalised (scheme://host[:port], lower case)."""
        return {
            line.strip().lower().rstrip("/")
            for line in self.widget_origins.splitlines()
            if line.strip()
        }

    def widget_allows(self, origin: str) -> bool:
        """Tell whether a page on origin may call the search widget's endpoint."""
        return bool(origin) and origin.lower().rstrip("/") in self.widget_origin_list

    @property
    def registration_open(self) -> bool:
        return self.access_mode != self.AccessMode.PRIVATE

    @property
    def needs_approval(self) -> bool:
        return self.access_mode == self.AccessMode.RESTRICTED
