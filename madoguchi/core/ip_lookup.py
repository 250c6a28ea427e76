"""`ip__within="203.0.113.0/24"`: filter an IP address field by network, in the database.

PostgreSQL stores the field as inet and answers with its containment operator. SQLite stores
text, so it gets a small SQL function (registered on each new connection) that Python answers.
"""

import ipaddress
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import GenericIPAddressField, Lookup
from django.db.models.sql.compiler import SQLCompiler

SQLITE_FUNCTION = "madoguchi_ip_within"


def _ip_within(address: str | None, network: str | None) -> int:
    if not address or not network:
        return 0
    try:
        ip = ipaddress.ip_address(address)
        net = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return 0
    return int(ip.version == net.version and ip in net)


class WithinNetwork(Lookup):
    lookup_name = "within"

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        # The value is a network, not an address: it must not pass the field's address check.
        return ("%s", [str(value)])

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{SQLITE_FUNCTION}({lhs}, {rhs}) = 1", [*lhs_params, *rhs_params]

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} <<= {rhs}::inet", [*lhs_params, *rhs_params]


def _add_sqlite_function(connection: BaseDatabaseWrapper, **_kwargs: object) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 2, _ip_within, deterministic=True)


def register() -> None:
    GenericIPAddressField.register_lookup(WithinNetwork)
    connection_created.connect(_add_sqlite_function, dispatch_uid="madoguchi.ip_within")
