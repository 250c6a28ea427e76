"""The lexical index of each engine, created by the database itself.

SQLite: an external-content FTS5 table over the token columns, kept in step by triggers, and an
fts5vocab table for document frequencies. PostgreSQL: a generated tsvector column (simple config:
the text is segmented in Python; title weighted A, body B) with a GIN index.
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_tokens, body_tokens,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF title_tokens, body_tokens
    ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_CREATE = [
    """ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
            || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
        ) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
