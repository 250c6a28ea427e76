"""Reads of received mail, for the people allowed to see it."""

from django.http import Http404

from madoguchi.accounts.models import User
from madoguchi.tickets import selectors as ticket_selectors
from madoguchi.tickets.models import InboundMail


def inbound_mail_get_for(viewer: User, pk: object) -> InboundMail:
    """Return a received mail for an admin, or for an agent who may see its request; else 404.

    Mail that became no request (ignored, in quarantine) is for admins only.
    """
    mail = InboundMail.objects.select_related("ticket").filter(pk=pk).first()
    if mail is None or not (viewer.is_active and viewer.is_staff):
        raise Http404
    # Admins look after the quarantine and may read any received mail.
    if viewer.is_superuser:
        return mail
    # Agents read the raw mail of requests they can see, and nothing else.
    if mail.ticket_id is None:
        raise Http404
    ticket_selectors.ticket_get_for(viewer, mail.ticket_id)
    return mail
