"""Admin: worker heartbeats, and the task list with its dead letter (FAILED tasks) and a retry."""

from datetime import timedelta

# Imported first so that its DBTaskResult admin is registered before it is replaced below, whatever
# the order of INSTALLED_APPS.
import django_tasks_db.admin
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from madoguchi.core import audit_admin  # noqa: F401  (registers the audit log admin)
from madoguchi.core.jobs import task_attempts, task_retry
from madoguchi.core.models import WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that lists and shows rows but never adds, changes or deletes them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at", "is_alive")
    ordering = ("-seen_at",)

    @admin.display(boolean=True, description=_("alive"))
    def is_alive(self, obj: WorkerHeartbeat) -> bool:
        lease = timedelta(seconds=settings.TASK_LEASE_SECONDS)
        return obj.seen_at > timezone.now() - lease


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(django_tasks_db.admin.DBTaskResultAdmin):
    """django-tasks-db's read-only task admin, plus attempts and a retry for the dead letter."""

    list_display = (
        "id",
        "task_name",
        "status",
        "attempts",
        "enqueued_at",
        "started_at",
        "finished_at",
        "run_after",
        "queue_name",
    )
    list_filter = ("status", "queue_name", "priority")
    actions = ("retry_failed",)

    @admin.display(description=_("attempts"))
    def attempts(self, obj: DBTaskResult) -> int:
        return task_attempts(obj)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_tasks_database.change_dbtaskresult")

    @admin.action(description=_("Retry selected failed tasks"), permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        """Send the selected FAILED tasks back to the queue; other statuses are left alone."""
        failed = queryset.filter(status=TaskResultStatus.FAILED).values_list("pk", flat=True)
        retried = sum(task_retry(str(pk)) for pk in failed)
        skipped = queryset.count() - retried
        message = ngettext(
            "%(count)d task was sent back to the queue.",
            "%(count)d tasks were sent back to the queue.",
            retried,
        ) % {"count": retried}
        if skipped:
            message += " " + ngettext(
                "%(count)d selected task was not failed and was left alone.",
                "%(count)d selected tasks were not failed and were left alone.",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, message, messages.SUCCESS if retried else messages.WARNING)
