"""Background tasks of requests: thin @task wrappers over its services."""

from django.tasks import task

from madoguchi.tickets import services, sla
from madoguchi.tickets.inbound import imap
from madoguchi.tickets.inbound import services as inbound_services


@task()
def tickets_close_solved_task() -> int:
    """Close requests solved long enough ago (hourly)."""
    return services.tickets_close_solved()


@task()
def attachments_sweep_incoming_task() -> int:
    """Finish or remove files that interrupted requests left behind (every 30 minutes)."""
    return services.attachments_sweep_incoming()


@task()
def inbound_process_pending_task() -> int:
    """Process received mail that a stopped receiver left unprocessed (every few minutes)."""
    return inbound_services.inbound_process_pending()


@task()
def imap_poll_task() -> int:
    """Fetch and process unread mail from the IMAP mailbox (when one is configured)."""
    return imap.imap_poll()


@task()
def sla_check_task() -> int:
    """Record and announce SLA warnings and breaches that are due (every minute)."""
    return sla.targets_check()
