from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from madoguchi.core import ip_lookup, periodic, tasks

        ip_lookup.register()
        periodic.register(
            "core.idempotency_purge", tasks.idempotency_keys_purge_task, every=timedelta(hours=6)
        )
