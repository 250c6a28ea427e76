from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = _("Requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.core import seeding as core_seeding
        from madoguchi.tickets import personal_data, seeding, selectors

        selectors.register()
        personal_data.register()
        core_seeding.register_demo(seeding.load_demo_catalog, order=20)
