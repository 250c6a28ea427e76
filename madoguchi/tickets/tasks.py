"""Background tasks of requests: thin @task wrappers over its services."""

from django.tasks import task

from madoguchi.tickets import services


@task()
def tickets_close_solved_task() -> int:
    """Close requests solved long enough ago (hourly)."""
    return services.tickets_close_solved()


@task()
def attachments_sweep_incoming_task() -> int:
    """Finish or remove files that interrupted requests left behind (every 30 minutes)."""
    return services.attachments_sweep_incoming()
