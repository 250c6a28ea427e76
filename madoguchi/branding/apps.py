from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandingConfig(AppConfig):
    name = "madoguchi.branding"
    label = "branding"
    verbose_name = _("Branding")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.branding import signals  # noqa: F401  (connects the receivers)
