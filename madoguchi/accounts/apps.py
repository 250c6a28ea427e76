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
        )
        from madoguchi.core import seeding as core_seeding

        scopes.register()
        personal_data_sources.register()
        core_seeding.register(seeding.seed_accounts, order=10)
        core_seeding.register_demo(
            seeding.load_demo_accounts, order=10, signins=seeding.DEMO_SIGNINS
        )
