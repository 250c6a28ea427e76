"""IP networks written by people: one CIDR per line, checked line by line with a clear reason."""

import ipaddress
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> Network:
    """Read one address or CIDR network (203.0.113.0/24, 2001:db8::/32, 198.51.100.7).

    Host bits set (203.0.113.5/24) are refused rather than silently widened: such a line is
    usually a typo, and guessing which network was meant could lock out or let in the wrong one.
    """
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        raise ValidationError(
            _("“%(value)s” is not an IP address or a network in CIDR form (203.0.113.0/24)."),
            code="invalid_network",
            params={"value": text.strip()},
        ) from exc


def parse_network_lines(text: str) -> list[Network]:
    """Read one network per line; blank lines and # comments are skipped.

    Raises one ValidationError listing every bad line with its number.
    """
    networks: list[Network] = []
    errors: list[ValidationError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        try:
            networks.append(parse_network(content))
        except ValidationError as exc:
            errors.append(
                ValidationError(
                    _("Line %(line)d: %(reason)s"),
                    code="invalid_network",
                    params={"line": number, "reason": exc.messages[0]},
                )
            )
    if errors:
        raise ValidationError(errors)
    return networks


def address_in(address: str | None, networks: Iterable[Network]) -> bool:
    """Tell whether the address lies in one of the networks; an unknown address lies in none."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d
    return any(ip.version == network.version and ip in network for network in networks)
