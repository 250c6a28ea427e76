"""Upload quotas (R10): how many bytes of request files a customer, and their organisation, keep.

A quota counts the files customers uploaded (on the portal, through the API or by mail), on the
requests that still exist; agents' files count against nobody. Zero turns a quota off. The check
runs before any byte is written, with the uploader's and organisation's rows locked, so two
uploads at once cannot both take the last room.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from madoguchi.accounts import selectors as accounts_selectors
from madoguchi.accounts.models import Organisation, User
from madoguchi.core.uploads import AttachmentRefusedError
from madoguchi.tickets.models import Attachment


class QuotaExceededError(AttachmentRefusedError):
    """The files would go over the uploader's or their organisation's quota; nothing was kept."""


@dataclass(frozen=True)
class Room:
    left: int
    used: int
    quota: int
    organisation: Organisation | None = None

    def refusal(self) -> str:
        values = {"used": filesizeformat(self.used), "quota": filesizeformat(self.quota)}
        if self.organisation is None:
            text = _(
                "There is no room for these files: you keep %(used)s of files here and may "
                "keep %(quota)s. Nothing was saved."
            )
            return text % values
        text = _(
            "There is no room for these files: %(organisation)s keeps %(used)s of files "
            "here and may keep %(quota)s. Nothing was saved."
        )
        return text % {**values, "organisation": self.organisation.name}


def quota_check(uploader: User, incoming: int) -> None:
    """Refuse files of `incoming` bytes that would take the uploader or their organisation past
    its quota.

    Call inside the transaction that stores the files: locks the uploader's row and their
    organisation's row until it ends.
    """
    room = tightest_room(uploader, lock=True)
    if room is not None and incoming > room.left:
        raise QuotaExceededError(room.refusal())


def tightest_room(uploader: User, *, lock: bool = False) -> Room | None:
    """The smallest room left to the uploader (their own or their organisation's); None when no
    quota applies (agents, or quotas turned off)."""
    if uploader.is_staff:
        return None
    rooms: list[Room] = []
    if settings.ATTACHMENT_USER_QUOTA_BYTES:
        if lock:
            list(User.objects.select_for_update().filter(pk=uploader.pk).values_list("pk"))
        used = _bytes(Attachment.objects.filter(uploaded_by=uploader))
        rooms.append(_room(used, settings.ATTACHMENT_USER_QUOTA_BYTES))
    organisation_id = accounts_selectors.request_organisation_id(uploader)
    if organisation_id is not None and settings.ATTACHMENT_ORGANISATION_QUOTA_BYTES:
        organisations = Organisation.objects.select_for_update() if lock else Organisation.objects
        organisation = organisations.get(pk=organisation_id)
        customers_files = Attachment.objects.filter(
            ticket__organisation=organisation, uploaded_by__is_staff=False
        )
        used = _bytes(customers_files)
        rooms.append(_room(used, settings.ATTACHMENT_ORGANISATION_QUOTA_BYTES, organisation))
    return min(rooms, key=lambda room: room.left, default=None)


def _room(used: int, quota: int, organisation: Organisation | None = None) -> Room:
    return Room(left=max(0, quota - used), used=used, quota=quota, organisation=organisation)


def _bytes(files: QuerySet[Attachment]) -> int:
    return files.aggregate(total=Sum("size"))["total"] or 0
