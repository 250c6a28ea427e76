"""Query expressions the ORM has no cheap way to say."""

from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, F, Func, Model

# The link table's name inside the EXISTS: apart from any alias the outer query uses.
_ALIAS = "mdg_linked"


class LinkedTo(Func):
    """True when a row of a many-to-many table links this row to one of `ids`.

    The SQL is `EXISTS (SELECT 1 FROM <through> WHERE <from> = <this pk> AND <to> IN (ids))`,
    asked row by row through the table's (from, to) index. Written out here because the ORM's
    `Exists(Through.objects.filter(...))` costs about 0.5 ms of Python to build and compile, and
    the knowledge base's visibility rule, which holds two of them, is part of every list a
    reader sees. `of` names the key the link points at ("pk", or "article__pk" from a row of
    the article's); it is an expression, so the condition follows the table's alias into
    subqueries.
    """

    output_field = BooleanField()

    def __init__(
        self,
        through: type[Model],
        *,
        from_column: str,
        to_column: str,
        ids: Iterable[int],
        of: str = "pk",
    ) -> None:
        super().__init__(F(of))
        self.through = through
        self.from_column = from_column
        self.to_column = to_column
        self.ids = sorted({int(pk) for pk in ids})
        if not self.ids:
            raise ValueError("LinkedTo needs at least one id; leave the condition out instead")

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        quote = connection.ops.quote_name
        table = quote(self.through._meta.db_table)
        marks = ", ".join(["%s"] * len(self.ids))
        # Quoted names of the model's own table and columns; every value is a parameter.
        sql = (
            f"EXISTS (SELECT 1 FROM {table} {_ALIAS} WHERE {_ALIAS}.{quote(self.from_column)} = "  # noqa: S608
            f"{pk_sql} AND {_ALIAS}.{quote(self.to_column)} IN ({marks}))"
        )
        return sql, [*pk_params, *self.ids]
