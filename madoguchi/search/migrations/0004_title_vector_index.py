"""PostgreSQL: a GIN index over the title tokens alone.

A word found in most documents is ranked over its title matches first (engines.plan); the
weighted search_vector cannot tell title from body without reading every matching row.
SQLite's FTS5 filters by column in the index itself and needs nothing more.
"""

from django.db import migrations

from madoguchi.search.migrations._vendor import on_vendor

CREATE = [
    "CREATE INDEX search_document_title_vector ON search_searchdocument "
    "USING GIN (to_tsvector('simple'::regconfig, title_tokens))"
]
DROP = ["DROP INDEX IF EXISTS search_document_title_vector"]


class Migration(migrations.Migration):
    dependencies = [("search", "0003_searchlog_surface")]

    operations = [on_vendor("postgresql", CREATE, DROP)]
