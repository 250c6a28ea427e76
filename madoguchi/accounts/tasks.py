"""Background tasks of accounts: thin @task wrappers over its services."""

from django.conf import settings
from django.tasks import TaskContext, task

from madoguchi.accounts import data_exports, user_import


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
