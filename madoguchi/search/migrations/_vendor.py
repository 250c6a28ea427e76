"""Raw SQL for one database vendor only (the engines' own indexes), as a migration operation.

Not a migration itself: Django skips modules of this package whose names start with "_".
"""

from collections.abc import Sequence

from django.db import migrations


def on_vendor(vendor: str, forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run `forward` (and `backward` when unapplied) on `vendor` only; elsewhere nothing."""

    def run(statements: Sequence[str]):
        def execute(apps, schema_editor):
            if schema_editor.connection.vendor == vendor:
                for statement in statements:
                    schema_editor.execute(statement)

        return execute

    return migrations.RunPython(run(forward), run(backward))
