"""Each document's scope labels, which searches can keep to inside the engine.

Added in plain SQL: Django would rebuild the table on SQLite to add a column with a default, and
drop FTS5's triggers with it. On SQLite the covering index of the engine's joins (0006) takes the
column too, so a scoped match still reads rows of a few bytes, not the documents' text.
"""

from django.db import migrations, models

from madoguchi.search.migrations._vendor import field_added_in_sql

ADD = ["ALTER TABLE search_searchdocument ADD COLUMN scopes text NOT NULL DEFAULT ''"]
DROP = ["ALTER TABLE search_searchdocument DROP COLUMN scopes"]
SQLITE_INDEX = [
    "DROP INDEX IF EXISTS search_document_scope",
    "CREATE INDEX search_document_scope ON search_searchdocument (id, source, lang, scopes)",
]
SQLITE_INDEX_BACK = [
    "DROP INDEX IF EXISTS search_document_scope",
    "CREATE INDEX search_document_scope ON search_searchdocument (id, source, lang)",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0007_postgresql_title_vector")]

    operations = [
        field_added_in_sql(
            "searchdocument",
            "scopes",
            models.TextField(blank=True, default="", verbose_name="scopes"),
            {"sqlite": [*ADD, *SQLITE_INDEX], "postgresql": ADD},
            {"sqlite": [*SQLITE_INDEX_BACK, *DROP], "postgresql": DROP},
        )
    ]
