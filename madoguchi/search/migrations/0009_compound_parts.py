"""Analyse every document again: Japanese compounds are now indexed with their parts too
(analysis.analyze(compounds=True): 再設定 also as 設定), which documents indexed before lack.

Documents keep their text, so this needs no source. It runs the analysis of the code being
migrated to (services.token_columns), about 1,000 documents a second; the engines' indexes
follow the token columns (SQLite's triggers, PostgreSQL's generated columns). Not atomic: each batch commits on its own,
so a large index does not hold its rows (or SQLite's write lock) for minutes, and a run cut
short leaves documents searchable, some not yet with their parts.
"""

from django.db import migrations

BATCH = 500


def reanalyse(apps, schema_editor) -> None:
    from madoguchi.search.services import token_columns

    SearchDocument = apps.get_model("search", "SearchDocument")
    last = 0
    while batch := list(SearchDocument.objects.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        for document in batch:
            for column, value in token_columns(document.title, document.body).items():
                setattr(document, column, value)
        SearchDocument.objects.bulk_update(
            batch, ["title_tokens", "body_tokens", "title_length", "body_length"]
        )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0008_document_scopes")]

    operations = [migrations.RunPython(reanalyse, migrations.RunPython.noop)]
