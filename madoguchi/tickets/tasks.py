"""Background tasks of requests: thin @task wrappers over its services."""

from django.tasks import task

from madoguchi.tickets import guests, services


@task()
def tickets_close_solved_task() -> int:
    """Close requests solved long enough ago (hourly)."""
    return services.tickets_close_solved()


@task()
def guest_requests_purge_task() -> int:
    """Delete guest requests nobody confirmed in time, with their files (hourly)."""
    return guests.guest_requests_purge()
