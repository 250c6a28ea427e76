from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "madoguchi.kb"
    label = "kb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.core import periodic
        from madoguchi.core import seeding as core_seeding
        from madoguchi.kb import (  # noqa: F401
            editorial_scopes,
            indexing,
            notices,
            personal_data,
            scopes,
            seeding,
            synthetic,
            tasks,
            visitor_pages,
        )

        # Importing notices registered the editors' notification events and texts.
        scopes.register()
        editorial_scopes.register()
        indexing.register()
        personal_data.register()
        visitor_pages.register()
        periodic.register(
            "kb.publish_due", tasks.reviews_publish_due_task, every=timedelta(minutes=1)
        )
        periodic.register(
            "kb.review_reminders", tasks.review_reminders_task, every=timedelta(hours=1)
        )
        core_seeding.register(synthetic.seed_articles, order=15)
        core_seeding.register_demo(seeding.load_demo_articles, order=30)
