"""PostgreSQL backend that creates test databases as UTF-8 with a C.UTF-8 collation and ctype.

Trigram and full-text search see no Japanese in a database whose LC_CTYPE is not UTF-8, and a
cluster's default locale is not ours to choose, so the test database states it explicitly.
"""

from django.db.backends.postgresql import base, creation


class DatabaseCreation(creation.DatabaseCreation):
    def sql_table_creation_suffix(self) -> str:
        suffix = super().sql_table_creation_suffix()
        return f"{suffix} LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
