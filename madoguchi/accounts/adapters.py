from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from madoguchi.core.mail import enqueue_mail


class AccountAdapter(DefaultAccountAdapter):
    """Madoguchi's rules for allauth: mail through the task queue."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        enqueue_mail(self.render_mail(template_prefix, email, context))
