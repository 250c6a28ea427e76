"""Background tasks of accounts: thin @task wrappers over its services."""

from django.conf import settings
from django.tasks import TaskContext, task

from madoguchi.accounts import data_exports, deletion, inbox, user_import


@task(takes_context=True)
def user_import_run_task(context: TaskContext, import_id: str) -> dict[str, int]:
    """Run a confirmed bulk import of users; on its last attempt, a failure marks it failed.

    Earlier failures are retried by the worker and the run resumes after the last committed batch.
    """
    try:
        return user_import.user_import_run(import_id=import_id)
    except Exception:
        if context.attempt >= settings.TASK_MAX_ATTEMPTS:
            user_import.user_import_fail(import_id=import_id)
        raise


@task(takes_context=True)
def data_export_build_task(context: TaskContext, export_id: str) -> None:
    """Build a personal data export and mail its link; the last failed attempt marks it failed."""
    try:
        data_exports.data_export_build(export_id)
    except Exception:
        if context.attempt >= settings.TASK_MAX_ATTEMPTS:
            data_exports.data_export_fail(export_id)
        raise


@task()
def accounts_purge_task() -> int:
    """Anonymise the accounts whose deletion grace period has ended (daily)."""
    return deletion.accounts_purge()


@task()
def data_exports_purge_task() -> int:
    """Delete the files of data exports that expired or were downloaded (daily)."""
    return data_exports.data_exports_purge()


@task()
def notifications_purge_task() -> int:
    """Delete read in-portal notifications older than NOTIFICATION_KEEP_DAYS (daily)."""
    return inbox.notifications_purge()
