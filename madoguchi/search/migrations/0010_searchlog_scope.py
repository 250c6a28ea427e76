"""Where each search was typed, as a scope label (the brand's), for per-brand gap reports.

Added in plain SQL: on SQLite, Django would copy the whole search log to add a column with a
default, and the log grows with every search.
"""

from django.db import migrations, models

from madoguchi.search.migrations._vendor import field_added_in_sql

ADD = ["ALTER TABLE search_searchlog ADD COLUMN scope varchar(64) NOT NULL DEFAULT ''"]
DROP = ["ALTER TABLE search_searchlog DROP COLUMN scope"]


class Migration(migrations.Migration):
    dependencies = [("search", "0009_compound_parts")]

    operations = [
        field_added_in_sql(
            "searchlog",
            "scope",
            models.CharField(blank=True, default="", max_length=64, verbose_name="scope"),
            {"sqlite": ADD, "postgresql": ADD},
            {"sqlite": DROP, "postgresql": DROP},
        )
    ]
