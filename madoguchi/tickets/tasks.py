"""Background tasks of requests: thin @task wrappers over its services."""

from django.tasks import task

from madoguchi.tickets import services, sla


@task()
def tickets_close_solved_task() -> int:
    """Close requests solved long enough ago (hourly)."""
    return services.tickets_close_solved()


@task()
def sla_check_task() -> int:
    """Record and announce SLA warnings and breaches that are due (every minute)."""
    return sla.targets_check()
