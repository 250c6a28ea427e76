"""The user list's security actions: force a password reset, reset MFA, deactivate, reactivate.

Each asks for confirmation on a page listing the people first; only superusers may use them.
The work and its audit entries are in account_security.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from madoguchi.accounts import account_security
from madoguchi.accounts.audit_receivers import organisation_of
from madoguchi.accounts.models import User
from madoguchi.core import audit
from madoguchi.core.errors import DomainError


@dataclass(frozen=True)
class AccountAction:
    name: str
    title: Promise
    explanation: Promise
    confirm: Promise
    run: Callable[..., object]
    done: Promise


ACTIONS = {
    action.name: action
    for action in (
        AccountAction(
            name="force_password_reset",
            title=_("Force a password reset"),
            explanation=_(
                "Their password stops working at once, they are signed out everywhere, and each "
                "is mailed a link to choose a new password, in their language."
            ),
            confirm=_("Yes, force a password reset"),
            run=account_security.force_password_reset,
            done=ngettext_lazy(
                "The password of %(count)d person was reset; a link was mailed.",
                "The passwords of %(count)d people were reset; links were mailed.",
                "count",
            ),
        ),
        AccountAction(
            name="reset_mfa",
            title=_("Reset two-factor authentication"),
            explanation=_(
                "All their authenticators and recovery codes are removed and they are signed out "
                "everywhere. If two-factor authentication is required, they set it up again at "
                "their next sign-in."
            ),
            confirm=_("Yes, reset two-factor authentication"),
            run=account_security.reset_mfa,
            done=ngettext_lazy(
                "Two-factor authentication of %(count)d person was reset.",
                "Two-factor authentication of %(count)d people was reset.",
                "count",
            ),
        ),
        AccountAction(
            name="deactivate_users",
            title=_("Deactivate accounts"),
            explanation=_(
                "They are signed out everywhere at once, their open pages stop updating, and "
                "they cannot sign in until the account is reactivated."
            ),
            confirm=_("Yes, deactivate"),
            run=account_security.deactivate,
            done=ngettext_lazy(
                "%(count)d account was deactivated.",
                "%(count)d accounts were deactivated.",
                "count",
            ),
        ),
        AccountAction(
            name="reactivate_users",
            title=_("Reactivate accounts"),
            explanation=_("They can sign in again with their password and second factor."),
            confirm=_("Yes, reactivate"),
            run=account_security.reactivate,
            done=ngettext_lazy(
                "%(count)d account was reactivated.",
                "%(count)d accounts were reactivated.",
                "count",
            ),
        ),
    )
}


def confirm_and_run(
    request: HttpRequest, model_admin: Any, queryset: QuerySet[User], name: str
) -> HttpResponse | None:
    """Show the confirmation page; once confirmed, run the action on each selected person."""
    action = ACTIONS[name]
    people = list(queryset.order_by("email"))
    if request.POST.get("confirmed") != "yes":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "people": people,
            "action": action,
            "title": action.title,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "self_selected": name == "deactivate_users" and request.user in people,
        }
        return render(request, "admin/accounts/user/security_action_confirm.html", context)
    done = 0
    for person in people:
        try:
            done += action.run(person, by=request.user, request=request) is not False
        except DomainError as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
    model_admin.message_user(request, action.done % {"count": done}, messages.SUCCESS)
    return None


AUDITED_FLAGS = {
    "is_staff": "admin.user.staff_changed",
    "is_superuser": "admin.user.superuser_changed",
    "is_active": "admin.user.active_changed",
}


def audit_flag_changes(request: HttpRequest, user: User, form: Any) -> None:
    """Record each access flag the admin's user form changed: one entry per flag."""
    for field, action in AUDITED_FLAGS.items():
        if field in form.changed_data:
            audit.record(
                action,
                request=request,
                target=user,
                organisation=organisation_of(user),
                data={"from": form.initial.get(field), "to": getattr(user, field)},
            )


def audit_role_changes(request: HttpRequest, user: User, before: set[str], after: set[str]) -> None:
    """Record the roles the admin's user form gave or took away, as one entry."""
    if before == after:
        return
    audit.record(
        "admin.user.roles_changed",
        request=request,
        target=user,
        organisation=organisation_of(user),
        data={"added": sorted(after - before), "removed": sorted(before - after)},
    )
