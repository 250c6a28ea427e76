"""Where a received mail belongs: which request it answers, which brand it asks, and who sent it.

A mail answers a request only when it names the request (the unguessable token in the address,
or our own Message-ID in In-Reply-To/References) *and* its sender may write on that request: the
requester, a follower or an agent. A token or a Message-ID alone, from anyone else, never adds
to someone else's request (R38, FreeScout GHSA-8vm3-wwq4-ggfx): such mail is a new request.
"""

import re
from email.utils import parseaddr

from django.conf import settings

from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.branding.services import default_brand
from madoguchi.tickets import selectors
from madoguchi.tickets.inbound.parse import ParsedMail
from madoguchi.tickets.models import BrandMailbox, InboundMail, Ticket

_TOKEN = re.compile(r"^(?P<local>[^+@]+)\+(?P<token>[0-9a-f]{32})@(?P<domain>.+)$")
_OUR_THREAD_ID = re.compile(r"^madoguchi\.request-(?P<pk>\d{1,18})(?:\.[^@]*)?@(?P<domain>.+)$")


def our_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower() or "localhost"


def our_addresses() -> set[str]:
    """The addresses we send from and receive at: mail from them is our own coming back."""
    found = {
        settings.REPLY_ADDRESS.lower(),
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
        parseaddr(settings.SERVER_EMAIL)[1].lower(),
    }
    found.update(BrandMailbox.objects.values_list("address", flat=True))
    return found - {""}


def recipients_of(mail: InboundMail, parsed: ParsedMail) -> list[str]:
    """The envelope recipients first (they are what the MTA delivered), then the headers'."""
    seen: dict[str, None] = {}
    for address in [*mail.envelope_to, *parsed.recipients]:
        seen.setdefault(address.strip().strip("<>").lower(), None)
    return [address for address in seen if address]


def thread_target(parsed: ParsedMail, recipients: list[str]) -> Ticket | None:
    """The request the mail names, by token first, then by the Message-IDs it answers."""
    return selectors.follow_merges(_by_token(recipients) or _by_references(parsed.references))


def _by_token(recipients: list[str]) -> Ticket | None:
    ours = our_addresses()
    for address in recipients:
        match = _TOKEN.match(address)
        if match and f"{match['local']}@{match['domain']}" in ours:
            ticket = Ticket.objects.filter(reply_token=match["token"]).first()
            if ticket is not None:
                return ticket
    return None


def _by_references(references: list[str]) -> Ticket | None:
    """The request of the newest referenced Message-ID that is ours or that we received."""
    domain = our_domain()
    for message_id in reversed(references):
        match = _OUR_THREAD_ID.match(message_id)
        if match and match["domain"].lower() == domain:
            ticket = Ticket.objects.filter(pk=int(match["pk"])).first()
            if ticket is not None:
                return ticket
    received = (
        InboundMail.objects.filter(message_id__in=references[-50:], ticket__isnull=False)
        .select_related("ticket")
        .order_by("-received_at")
        .first()
    )
    return received.ticket if received else None


def may_write_on(ticket: Ticket, user: User | None) -> bool:
    """Tell whether the sender may add to the request: requester, follower or agent."""
    if user is None or not user.is_active:
        return False
    return (
        user.is_staff
        or user.pk == ticket.requester_id
        or ticket.followers.filter(pk=user.pk).exists()
    )


def user_for(address: str) -> User | None:
    return User.objects.filter(email__iexact=address).first() if address else None


def brand_for(recipients: list[str]) -> tuple[Brand, BrandMailbox | None]:
    """The brand whose support address the mail was sent to, else the default brand."""
    bases = [without_tag(address) for address in recipients]
    mailboxes = {
        box.address: box
        for box in BrandMailbox.objects.filter(address__in=bases).select_related("brand")
    }
    for base in bases:
        if base in mailboxes:
            return mailboxes[base].brand, mailboxes[base]
    brand = default_brand()
    return brand, BrandMailbox.objects.filter(brand=brand).first()


def without_tag(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local.partition('+')[0]}@{domain}"
