"""The notification centre: a person's in-portal notifications, read and cleared.

Notifications are created by notifications.notify(); this module reads them for their recipient
only (another person's notification is a 404) and marks them read.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from madoguchi.accounts.models import Notification, User
from madoguchi.core import access
from madoguchi.core.prepared import Prepared


def own_notifications(user: User, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    # Nobody, agents and admins included, reads another person's notifications.
    return queryset.filter(recipient=user)


def notifications_for(viewer: User) -> QuerySet[Notification]:
    """Return the viewer's notifications, newest first."""
    return access.visible(viewer, Notification).order_by("-created_at", "-pk")


def notification_get_for(viewer: User, pk: object) -> Notification:
    """Return one of the viewer's notifications; Http404 for anyone else's."""
    return access.get_visible_or_404(viewer, Notification, pk=pk)


# The bell asks on every signed-in page: compiled once (core.prepared). Grouped by the
# recipient so that the count is a values_list() row; no row means none unread.
_UNREAD = Prepared(
    lambda user_id: (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("unread")
        .order_by()
    ),
    int,
)


def unread_count(user: User) -> int:
    """Count the person's unread notifications (one query on a partial index)."""
    rows = _UNREAD.rows(user.pk)
    return rows[0][0] if rows else 0


def notification_read(notification: Notification) -> None:
    """Mark one notification read (once: the first reading time stays)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_read_all(user: User) -> int:
    """Mark every unread notification of the person read; return how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread.update(read_at=timezone.now())


def notifications_purge(*, now: datetime | None = None) -> int:
    """Delete read notifications older than NOTIFICATION_KEEP_DAYS; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_KEEP_DAYS)
    old = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff)
    return old.delete()[0]
