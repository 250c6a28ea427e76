from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "madoguchi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from madoguchi.accounts import (  # noqa: F401  (connects receivers)
            audit_receivers,
            mfa_requirement,
            personal_data_sources,
            revocation,
            scopes,
            seeding,
            signals,
            tasks,
        )
        from madoguchi.core import periodic
        from madoguchi.core import seeding as core_seeding

        scopes.register()
        personal_data_sources.register()
        core_seeding.register(seeding.seed_accounts, order=10)
        core_seeding.register_demo(
            seeding.load_demo_accounts, order=10, signins=seeding.DEMO_SIGNINS
        )
        periodic.register("accounts.purge", tasks.accounts_purge_task, every=timedelta(days=1))
        periodic.register(
            "accounts.data_exports_purge", tasks.data_exports_purge_task, every=timedelta(days=1)
        )
        periodic.register(
            "accounts.notifications_purge", tasks.notifications_purge_task, every=timedelta(days=1)
        )
