"""SQLite: a covering index of each document's id, source and language.

Every FTS5 match is joined to its document to keep to the sources and languages asked. Through
the table, each of those lookups reads a page of a long row (text and tokens); through this
index, rows of a few bytes. The engine names it (INDEXED BY): the planner would pick the
primary key. Matching 5,000 titles at 100,000 documents went from 21 to 11 ms.
PostgreSQL filters in the same scan of its own index and needs nothing.
"""

from django.db import migrations

from madoguchi.search.migrations._vendor import on_vendor

CREATE = ["CREATE INDEX search_document_scope ON search_searchdocument (id, source, lang)"]
DROP = ["DROP INDEX IF EXISTS search_document_scope"]


class Migration(migrations.Migration):
    dependencies = [("search", "0005_document_updated_index")]

    operations = [on_vendor("sqlite", CREATE, DROP)]
