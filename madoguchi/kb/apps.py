from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "madoguchi.kb"
    label = "kb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.core import seeding as core_seeding
        from madoguchi.kb import indexing, scopes, seeding, synthetic

        scopes.register()
        indexing.register()
        core_seeding.register(synthetic.seed_articles, order=15)
        core_seeding.register_demo(seeding.load_demo_articles, order=30)
