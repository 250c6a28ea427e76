"""Superseded by 0011, which analyses every document again with the rules of 0011 too (a
compound's parts behind a stop). Running the same work twice on upgrade would only double its
time, so this one now does nothing; it stays for the migration graph.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0008_document_scopes")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
