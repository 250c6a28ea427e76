from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = _("Requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.core import periodic
        from madoguchi.core import seeding as core_seeding
        from madoguchi.tickets import personal_data, seeding, selectors, synthetic, tasks

        selectors.register()
        personal_data.register()
        periodic.register(
            "tickets.close_solved", tasks.tickets_close_solved_task, every=timedelta(hours=1)
        )
        core_seeding.register(synthetic.seed_requests, order=20)
        core_seeding.register_demo(seeding.load_demo_catalog, order=20)
