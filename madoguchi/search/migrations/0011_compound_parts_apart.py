"""Analyse every document again: the parts of each Japanese compound now stand behind a stop
token (analysis.PARTS_STOP), so no phrase runs from a document's words into its compounds'
parts or from one compound into the next. Batched and not atomic, as 0009.
"""

from django.db import migrations

from madoguchi.search.migrations._vendor import documents_reanalysed


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0010_searchlog_scope")]

    operations = [migrations.RunPython(documents_reanalysed, migrations.RunPython.noop)]
