from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = _("Requests")
    default_auto_field = "django.db.models.BigAutoField"
