"""Raw SQL for one database vendor only (the engines' own indexes), as a migration operation.

Not a migration itself: Django skips modules of this package whose names start with "_".
"""

from collections.abc import Mapping, Sequence

from django.db import migrations, models


def on_vendor(vendor: str, forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run `forward` (and `backward` when unapplied) on `vendor` only; elsewhere nothing."""

    def run(statements: Sequence[str]):
        def execute(apps, schema_editor):
            if schema_editor.connection.vendor == vendor:
                for statement in statements:
                    schema_editor.execute(statement)

        return execute

    return migrations.RunPython(run(forward), run(backward))


def field_added_in_sql(
    model_name: str,
    name: str,
    field: models.Field,
    forward: Mapping[str, Sequence[str]],
    backward: Mapping[str, Sequence[str]],
) -> migrations.SeparateDatabaseAndState:
    """Add a field to the model's state, and its column by each vendor's own statements (Django
    would rebuild a SQLite table to add a column with a default: its triggers, or its rows)."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddField(model_name=model_name, name=name, field=field)],
        database_operations=[
            on_vendor(vendor, statements, backward[vendor]) for vendor, statements in forward.items()
        ],
    )


def documents_reanalysed(apps, schema_editor, batch: int = 500) -> None:
    """Analyse every stored document again with the code being migrated to (token_columns),
    batch by batch; the engines' indexes follow the token columns. For a migration that is not
    atomic: each batch commits on its own."""
    from madoguchi.search.services import token_columns

    SearchDocument = apps.get_model("search", "SearchDocument")
    last = 0
    while rows := list(SearchDocument.objects.filter(pk__gt=last).order_by("pk")[:batch]):
        last = rows[-1].pk
        for document in rows:
            for column, value in token_columns(document.title, document.body).items():
                setattr(document, column, value)
        SearchDocument.objects.bulk_update(
            rows, ["title_tokens", "body_tokens", "title_length", "body_length"]
        )
