"""Files wait for their draft's publication; the files already there were published with their
articles (readers could get them), so they keep being shown."""

from typing import Any

from django.db import migrations, models
from django.db.models import F


def _published_as_before(apps: Any, _schema_editor: Any) -> None:
    attachments = apps.get_model("kb", "ArticleAttachment").objects
    attachments.filter(published_at__isnull=True).update(published_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_editorial_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="articleattachment",
            name="published_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="shown to readers since"
            ),
        ),
        migrations.RunPython(_published_as_before, migrations.RunPython.noop, elidable=True),
    ]
