from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    verbose_name = _("Requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from madoguchi.accounts import notifications
        from madoguchi.core import periodic
        from madoguchi.core import seeding as core_seeding
        from madoguchi.tickets import personal_data, seeding, selectors, synthetic, tasks
        from madoguchi.tickets.inbound import imap

        selectors.register()
        # Any request saved or deleted changes what the agents' queue tabs count.
        post_save.connect(_queue_changed, sender="tickets.Ticket", dispatch_uid="queue_saved")
        post_delete.connect(_queue_changed, sender="tickets.Ticket", dispatch_uid="queue_deleted")
        # What the queue's filters offer (names of brands show beside request types).
        choices = ("accounts.Department", "tickets.RequestType", "tickets.Tag", "branding.Brand")
        for model in choices:
            for signal in (post_save, post_delete):
                signal.connect(
                    _queue_choices_changed, sender=model, dispatch_uid=f"queue_choices_{model}"
                )
        personal_data.register()
        periodic.register(
            "tickets.close_solved", tasks.tickets_close_solved_task, every=timedelta(hours=1)
        )
        periodic.register(
            "tickets.sweep_incoming",
            tasks.attachments_sweep_incoming_task,
            every=timedelta(minutes=30),
        )
        periodic.register(
            "tickets.inbound_pending",
            tasks.inbound_process_pending_task,
            every=timedelta(minutes=5),
        )
        imap.register_polling(tasks.imap_poll_task)
        periodic.register("tickets.sla_check", tasks.sla_check_task, every=timedelta(minutes=1))
        notifications.register_event(
            "sla_warning", _("A request I work on is about to miss its SLA"), for_agents=True
        )
        notifications.register_event(
            "sla_breach", _("A request I work on missed its SLA"), for_agents=True
        )
        periodic.register(
            "tickets.guest_requests_purge",
            tasks.guest_requests_purge_task,
            every=timedelta(hours=1),
        )
        # Before the catalog, whose demo request then runs under the standard policy.
        core_seeding.register_demo(seeding.load_demo_sla, order=19)
        core_seeding.register(synthetic.seed_requests, order=20)
        core_seeding.register_demo(seeding.load_demo_catalog, order=20)


def _queue_changed(**_kwargs: object) -> None:
    from madoguchi.tickets import selectors

    selectors.queue_counts_outdated()


def _queue_choices_changed(update_fields: frozenset[str] | None = None, **_kwargs: object) -> None:
    from madoguchi.tickets import selectors

    # Round robin notes a group's last assignee on every new request: no name changed.
    if update_fields is not None and update_fields <= {"last_assigned"}:
        return
    selectors.queue_choices_outdated()
