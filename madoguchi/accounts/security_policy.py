"""The portal-wide security policy (one row, edited in the admin), read through the cache.

Every request to the staff area and every signed-in request of an agent reads it, so it is kept
in the shared cache and dropped there when an admin saves it; every process sees the change on
its next request. When the cache is down it is read from the database.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from madoguchi.accounts.models import SecurityPolicy, User
from madoguchi.core import audit
from madoguchi.core.http import client_ip
from madoguchi.core.networks import Network, address_in, parse_network_lines

CACHE_KEY = "mdg:security-policy:v1"
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Policy:
    staff_require_mfa: bool
    staff_ip_allowlist: str

    def staff_networks(self) -> list[Network]:
        return parse_network_lines(self.staff_ip_allowlist)


def policy_row() -> SecurityPolicy:
    """The one policy row, created with the defaults the first time it is asked for."""
    row, _created = SecurityPolicy.objects.get_or_create(pk=1)
    return row


def current() -> Policy:
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, Policy):
        return cached
    row = SecurityPolicy.objects.filter(pk=1).first() or SecurityPolicy()
    policy = Policy(row.staff_require_mfa, row.staff_ip_allowlist)
    cache.set(CACHE_KEY, policy, CACHE_SECONDS)
    return policy


def forget_cached() -> None:
    cache.delete(CACHE_KEY)


def staff_address_allowed(address: str | None, policy: Policy) -> bool:
    """An empty allowlist allows every address; otherwise the address must be in it."""
    networks = policy.staff_networks()
    return not networks or address_in(address, networks)


def request_allowed_into_staff_area(request: HttpRequest) -> bool:
    return staff_address_allowed(client_ip(request), current())


def policy_save(row: SecurityPolicy, *, by: User, request: HttpRequest | None = None) -> None:
    """Save the policy, audit it as it now stands, and drop the cached copy once committed."""
    with transaction.atomic():
        row.save()
        audit.record(
            "security_policy.changed",
            request=request,
            actor=by,
            target=row,
            data={
                "staff_require_mfa": row.staff_require_mfa,
                "staff_ip_allowlist": [str(n) for n in parse_network_lines(row.staff_ip_allowlist)],
            },
        )
        transaction.on_commit(forget_cached)
